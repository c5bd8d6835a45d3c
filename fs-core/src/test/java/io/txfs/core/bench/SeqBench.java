package io.txfs.core.bench;

import io.txfs.core.Engine;
import io.txfs.core.EngineConfig;
import io.txfs.core.tree.View;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Sequential write (128 KiB writes, then fsync) and read back (128 KiB reads) of one file in a view,
 * RocksDB store on the real disk; optionally publish + flush. Not a test. Usage: SeqBench WORKDIR [MiB]
 * [flush]. Prints one line of MiB/s figures.
 */
public final class SeqBench {
    private SeqBench() {}

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args.length > 0 ? args[0] : "/tmp/txfs-bench-seq");
        long size = (args.length > 1 ? Long.parseLong(args[1]) : 1024) << 20;
        boolean flush = args.length > 2 && args[2].equals("flush");
        deleteTree(work);
        Path backing = Files.createDirectories(work.resolve("backing"));
        StringBuilder out = new StringBuilder();
        try (Engine e = Engine.open(EngineConfig.rocks(backing, work.resolve("state")))) {
            SequentialWrite w = SequentialWrite.into(e, size);
            View v = w.view();
            double s = w.seconds();
            out.append(String.format("write+fsync %.0f MiB/s", size / 1048576.0 / s));
            long t0 = System.nanoTime();
            long sum = 0;
            for (long off = 0; off < size; off += w.writeBytes()) sum += e.read(v, w.ino(), off, w.writeBytes()).length;
            s = (System.nanoTime() - t0) / 1e9;
            if (sum != size) throw new IllegalStateException("read " + sum);
            out.append(String.format(", read %.0f MiB/s", size / 1048576.0 / s));
            if (flush) {
                e.publish(v, false);
                t0 = System.nanoTime();
                e.flush();
                s = (System.nanoTime() - t0) / 1e9;
                out.append(String.format(", flush %.0f MiB/s", size / 1048576.0 / s));
            }
        }
        System.out.println(out);
        deleteTree(work);
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            s.sorted(Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
        }
    }
}
