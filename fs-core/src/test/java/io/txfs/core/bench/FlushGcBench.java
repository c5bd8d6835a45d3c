package io.txfs.core.bench;

import io.txfs.core.Engine;
import io.txfs.core.EngineConfig;
import io.txfs.core.model.Caller;
import io.txfs.core.model.GcPolicy;
import io.txfs.core.model.Isolation;
import io.txfs.core.tree.View;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A/B of the collection that runs after a flush: publish + flush of one new file of MiB bytes with
 * GcPolicy auto on and off, interleaved, medians. Not a test. Args: work dir, MiB, repetitions.
 */
public final class FlushGcBench {
    private FlushGcBench() {}

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args.length > 0 ? args[0] : "/tmp/txfs-bench-flushgc");
        int mib = args.length > 1 ? Integer.parseInt(args[1]) : 256;
        int reps = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        List<Double> on = new ArrayList<>();
        List<Double> off = new ArrayList<>();
        for (int r = 0; r < reps; r++) {
            on.add(run(work.resolve("on" + r), mib, GcPolicy.DEFAULT));
            off.add(run(work.resolve("off" + r), mib, new GcPolicy(false, 1)));
        }
        Collections.sort(on);
        Collections.sort(off);
        System.out.printf(
                "flush of %d MiB: gc on median %.0f ms %s, gc off median %.0f ms %s%n",
                mib, on.get(reps / 2), on, off.get(reps / 2), off);
    }

    private static double run(Path dir, int mib, GcPolicy gc) throws Exception {
        Path backing = Files.createDirectories(dir.resolve("backing"));
        try (Engine e =
                Engine.open(EngineConfig.rocks(backing, dir.resolve("state")).withGc(gc))) {
            View v = e.createView("w", Isolation.SNAPSHOT, 0);
            long ino =
                    e.create(v, Engine.ROOT, "f".getBytes(), 0644, Caller.ROOT).ino();
            byte[] buf = new byte[128 << 10];
            for (int i = 0; i < buf.length; i++) buf[i] = (byte) i;
            for (long off = 0; off < (long) mib << 20; off += buf.length) e.write(v, ino, off, buf);
            e.publish(v, false);
            long t0 = System.nanoTime();
            e.flush();
            return (System.nanoTime() - t0) / 1e6;
        } finally {
            deleteTree(dir);
        }
    }

    private static void deleteTree(Path p) throws Exception {
        try (var s = Files.walk(p)) {
            for (Path x : s.sorted(Collections.reverseOrder()).toList()) Files.delete(x);
        }
    }
}
