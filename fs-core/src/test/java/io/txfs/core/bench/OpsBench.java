package io.txfs.core.bench;

import io.txfs.core.Engine;
import io.txfs.core.EngineConfig;
import io.txfs.core.model.Caller;
import io.txfs.core.model.Isolation;
import io.txfs.core.tree.View;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Per-call cost of the engine API on the RocksDB store (what the mount pays when the kernel's caches
 * miss): lookup + getattr of every path of a tree, readdir, create + unlink, stat of pending files.
 * Not a test. Usage: OpsBench WORKDIR [rounds]. Prints µs per operation, median of the rounds.
 */
public final class OpsBench {
    private static final int DIRS = 100;
    private static final int FILES = 100;

    private OpsBench() {}

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args.length > 0 ? args[0] : "/tmp/txfs-bench-ops");
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        deleteTree(work);
        Path backing = Files.createDirectories(work.resolve("backing"));
        for (int d = 0; d < DIRS; d++) {
            Path dir = Files.createDirectories(backing.resolve("d" + d));
            for (int f = 0; f < FILES; f++) Files.write(dir.resolve("f" + f), new byte[] {1});
        }
        String[] names = {
            "backing lookup+getattr",
            "readdir (100 entries)",
            "create+unlink",
            "pending lookup+getattr",
            "published lookup+getattr",
            "read 4 KiB of a backing file"
        };
        double[][] results = new double[names.length][rounds];
        try (Engine e = Engine.open(EngineConfig.rocks(backing, work.resolve("state")))) {
            View pub = e.createView("pub", Isolation.SNAPSHOT, 0);
            long pd = e.mkdir(pub, Engine.ROOT, b("pub"), 0755, Caller.ROOT).ino();
            for (int i = 0; i < DIRS * FILES; i++) e.create(pub, pd, b("p" + i), 0644, Caller.ROOT);
            e.publish(pub, false);
            View v = e.createView("bench", Isolation.SNAPSHOT, 0);
            long pending =
                    e.mkdir(v, Engine.ROOT, b("pending"), 0755, Caller.ROOT).ino();
            for (int i = 0; i < DIRS * FILES; i++) e.create(v, pending, b("q" + i), 0644, Caller.ROOT);
            long[] dirIno = new long[DIRS];
            for (int d = 0; d < DIRS; d++)
                dirIno[d] = e.lookup(v, Engine.ROOT, b("d" + d)).ino();
            byte[][] fileNames = new byte[FILES][];
            for (int f = 0; f < FILES; f++) fileNames[f] = b("f" + f);
            long oneFile = e.lookup(v, dirIno[0], fileNames[0]).ino();
            for (int r = 0; r < rounds + 1; r++) {
                int slot = r - 1; // round 0 warms up (and imports the backing listings)
                long t = System.nanoTime();
                for (int d = 0; d < DIRS; d++) {
                    long di = e.lookup(v, Engine.ROOT, b("d" + d)).ino();
                    for (int f = 0; f < FILES; f++) {
                        long ino = e.lookup(v, di, fileNames[f]).ino();
                        e.getattr(v, ino);
                    }
                }
                record(results, 0, slot, t, DIRS * FILES);
                t = System.nanoTime();
                for (int k = 0; k < 10; k++) for (int d = 0; d < DIRS; d++) e.readdir(v, dirIno[d]);
                record(results, 1, slot, t, 10 * DIRS);
                t = System.nanoTime();
                for (int i = 0; i < DIRS * FILES; i++) {
                    byte[] n = b("n" + i);
                    e.create(v, pending, n, 0644, Caller.ROOT);
                    e.unlink(v, pending, n);
                }
                record(results, 2, slot, t, DIRS * FILES);
                t = System.nanoTime();
                for (int i = 0; i < DIRS * FILES; i++)
                    e.getattr(v, e.lookup(v, pending, b("q" + i)).ino());
                record(results, 3, slot, t, DIRS * FILES);
                t = System.nanoTime();
                for (int i = 0; i < DIRS * FILES; i++)
                    e.getattr(v, e.lookup(v, pd, b("p" + i)).ino());
                record(results, 4, slot, t, DIRS * FILES);
                t = System.nanoTime();
                for (int i = 0; i < DIRS * FILES; i++) e.read(v, oneFile, 0, 4096);
                record(results, 5, slot, t, DIRS * FILES);
            }
        }
        System.out.println("| operation (engine API, RocksDB store) | µs/op (median of " + rounds + ") | min | max |");
        System.out.println("|---|---:|---:|---:|");
        for (int i = 0; i < names.length; i++) {
            double[] x = results[i].clone();
            Arrays.sort(x);
            System.out.printf("| %s | %.2f | %.2f | %.2f |%n", names[i], x[x.length / 2], x[0], x[x.length - 1]);
        }
        deleteTree(work);
    }

    private static void record(double[][] results, int what, int slot, long t0, int ops) {
        if (slot >= 0) results[what][slot] = (System.nanoTime() - t0) / 1e3 / ops;
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            s.sorted(Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
        }
    }
}
