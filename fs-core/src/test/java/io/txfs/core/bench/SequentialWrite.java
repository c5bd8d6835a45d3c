package io.txfs.core.bench;

import io.txfs.core.Engine;
import io.txfs.core.model.Caller;
import io.txfs.core.model.Isolation;
import io.txfs.core.tree.View;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/** One file of {@code size} bytes written into a new view in 128 KiB writes, then fsynced: the write both CoreBench and SeqBench time. */
record SequentialWrite(View view, long ino, int writeBytes, double seconds) {
    static SequentialWrite into(Engine e, long size) {
        View v = e.createView("bench", Isolation.SNAPSHOT, 0);
        long ino = e.create(v, Engine.ROOT, "seq.bin".getBytes(StandardCharsets.UTF_8), 0644, Caller.ROOT)
                .ino();
        byte[] buf = new byte[128 * 1024];
        new Random(7).nextBytes(buf);
        long t0 = System.nanoTime();
        for (long off = 0; off < size; off += buf.length) e.write(v, ino, off, buf);
        e.fsync(v);
        return new SequentialWrite(v, ino, buf.length, (System.nanoTime() - t0) / 1e9);
    }
}
