package io.txfs.core.bench;

import io.txfs.core.Engine;
import io.txfs.core.EngineConfig;
import io.txfs.core.model.Caller;
import io.txfs.core.model.FlushResult;
import io.txfs.core.model.Isolation;
import io.txfs.core.tree.View;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.Stream;

/**
 * The fs-core figures of issue 3, RocksDB store on the real disk, with the machine's own baseline
 * (dd) measured in the same run. Usage: CoreBench WORKDIR [GiB]. Prints a markdown table.
 */
public final class CoreBench {
    private CoreBench() {}

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args.length > 0 ? args[0] : "/tmp/txfs-bench-core");
        long gib = args.length > 1 ? Long.parseLong(args[1]) : 1;
        long size = gib << 30;
        deleteTree(work);
        Files.createDirectories(work);
        StringBuilder out =
                new StringBuilder("| figure | result | target | baseline (same run) |\n|---|---|---|---|\n");

        // 1. publish of 10,000 changed paths, tiny files and 64 KiB files. The first publish in a fresh JVM
        // also pays for compiling the publish path; a daemon that has served a while has it compiled, so
        // both are reported: the first, and the median of 5 more in the same engine (new views, new files).
        for (int fileSize : new int[] {1, 65536}) {
            Path backing = Files.createDirectories(work.resolve("pub-" + fileSize + "/backing"));
            try (Engine e = Engine.open(EngineConfig.rocks(backing, work.resolve("pub-" + fileSize + "/state")))) {
                double[] ms = new double[6];
                for (int round = 0; round < ms.length; round++) {
                    View v = e.createView("bench" + round, Isolation.SNAPSHOT, 0);
                    long dir = e.mkdir(
                                    v, Engine.ROOT, ("d" + round).getBytes(StandardCharsets.UTF_8), 0755, Caller.ROOT)
                            .ino();
                    byte[] data = new byte[fileSize];
                    for (int i = 0; i < 10_000 - 1; i++) { // + the directory: 10,000 paths
                        long ino = e.create(v, dir, ("f" + i).getBytes(StandardCharsets.UTF_8), 0644, Caller.ROOT)
                                .ino();
                        e.write(v, ino, 0, data);
                    }
                    long t0 = System.nanoTime();
                    e.publish(v, false);
                    ms[round] = (System.nanoTime() - t0) / 1e6;
                }
                double first = ms[0];
                double[] warm = Arrays.copyOfRange(ms, 1, ms.length);
                Arrays.sort(warm);
                out.append(String.format(
                        "| publish 10,000 new files of %d B | %.1f ms (median of 5 in a running engine; the first in a fresh JVM %.1f ms) | < 100 ms, independent of size | - |%n",
                        fileSize, warm[warm.length / 2], first));
            }
        }

        // 2. 1-byte write into a 1 GiB backing file
        Path backing = Files.createDirectories(work.resolve("big/backing"));
        Path bigFile = backing.resolve("big.bin");
        double ddWrite = dd(bigFile, gib, false);
        Path state = work.resolve("big/state");
        // Growth is measured between two closed engines (allocated bytes, du): an open RocksDB holds
        // preallocated log files that closing returns.
        try (Engine e = Engine.open(EngineConfig.rocks(backing, state))) {
            View v = e.createView("bench", Isolation.SNAPSHOT, 0);
            long ino = e.resolve(v, "big.bin");
            // first touch of both chunk kinds: JIT, WAL file, the backing file, the view's data file
            e.write(v, ino, 7, new byte[] {1});
            e.write(v, ino, Engine.CHUNK + 7, new byte[] {1});
            e.fsync(v);
        }
        long before = dirSize(state);
        try (Engine e = Engine.open(EngineConfig.rocks(backing, state))) {
            View v = e.view("bench");
            long ino = e.resolve(v, "big.bin");
            long t0 = System.nanoTime();
            e.write(v, ino, size / 2 + 12345, new byte[] {1});
            double ms = (System.nanoTime() - t0) / 1e6;
            e.fsync(v);
            double[] more = new double[21];
            Random rnd = new Random(3);
            for (int i = 0; i < more.length; i++) {
                long off = (long) (rnd.nextDouble() * (size - 1));
                long t = System.nanoTime();
                e.write(v, ino, off, new byte[] {2});
                more[i] = (System.nanoTime() - t) / 1e6;
            }
            Arrays.sort(more);
            e.close();
            long growth = dirSize(state) - before;
            out.append(String.format(
                    "| 1-byte write into a %d GiB backing file | %.2f ms (then median of 21 more at random offsets %.2f ms); state grew %d KiB for those 22 writes | < 5 ms, ~ one 64 KiB chunk each | - |%n",
                    gib, ms, more[10], growth / 1024));
        }

        // 3. sequential write of 1 GiB into a view (128 KiB writes), then 4. publish + flush of it
        Path backing2 = Files.createDirectories(work.resolve("seq/backing"));
        try (Engine e = Engine.open(EngineConfig.rocks(backing2, work.resolve("seq/state")))) {
            SequentialWrite w = SequentialWrite.into(e, size);
            View v = w.view();
            double s = w.seconds();
            out.append(String.format(
                    "| sequential write of %d GiB into a view (128 KiB writes, then fsync) | %.0f MiB/s | >= 500 MiB/s | dd to the disk: %.0f MiB/s |%n",
                    gib, size / 1048576.0 / s, ddWrite));
            e.publish(v, false);
            long t1 = System.nanoTime();
            FlushResult fr = e.flush();
            double fs = (System.nanoTime() - t1) / 1e9;
            double ddAgain = dd(work.resolve("dd-again.bin"), gib, true);
            out.append(String.format(
                    "| flush of %d GiB (new file) | %.0f MiB/s (%.1f s) | >= 80%% of dd | dd conv=fsync: %.0f MiB/s (%.0f%%) |%n",
                    gib, size / 1048576.0 / fs, fs, ddAgain, 100 * (size / 1048576.0 / fs) / ddAgain));
            if (fr.nothingToDo()) throw new IllegalStateException("flush did nothing");
        }
        System.out.print(out);
        deleteTree(work);
    }

    /** MiB/s of dd writing gib GiB of zeros to path with conv=fsync (the disk's sequential write baseline). */
    private static double dd(Path path, long gib, boolean remove) throws Exception {
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(
                        "dd",
                        "if=/dev/zero",
                        "of=" + path,
                        "bs=1M",
                        "count=" + (gib * 1024),
                        "conv=fsync",
                        "status=none")
                .inheritIO()
                .start();
        if (p.waitFor() != 0) throw new IOException("dd failed");
        double s = (System.nanoTime() - t0) / 1e9;
        if (remove) Files.delete(path);
        return gib * 1024 / s;
    }

    /** Allocated bytes under dir (du): chunk data files are sparse, their apparent size says nothing. */
    private static long dirSize(Path dir) throws IOException {
        Process p = new ProcessBuilder("du", "-s", "-B1", dir.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        try {
            if (p.waitFor() != 0) throw new IOException("du failed: " + out);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        return Long.parseLong(out.split("\\s+")[0]);
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            s.sorted(Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
        }
    }
}
