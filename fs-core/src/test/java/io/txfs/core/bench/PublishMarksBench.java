package io.txfs.core.bench;

import io.txfs.core.Engine;
import io.txfs.core.EngineConfig;
import io.txfs.core.model.Caller;
import io.txfs.core.model.Isolation;
import io.txfs.core.tree.View;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;

/**
 * Publish of 10,000 paths on RocksDB, two shapes: new files (100 directories of 100) and in-place changes
 * of 10,000 published files (one byte each), the shape that writes the most subtree marks. Prints the
 * median of 5 rounds of each. Uses only the public engine API, so the same class times an older build
 * for an A/B comparison (not part of the test suite).
 */
public final class PublishMarksBench {
    private PublishMarksBench() {}

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory(Path.of(args.length > 0 ? args[0] : "/var/tmp"), "pubmarks");
        Path backing = Files.createDirectories(dir.resolve("b"));
        double[] created = new double[5];
        double[] modified = new double[5];
        try (Engine e = Engine.open(EngineConfig.rocks(backing, dir.resolve("s")))) {
            for (int round = 0; round < 5; round++) {
                View v = e.createView("new" + round, Isolation.SNAPSHOT, 0);
                long top = e.mkdir(v, Engine.ROOT, b("r" + round), 0755, Caller.ROOT)
                        .ino();
                for (int d = 0; d < 100; d++) {
                    long sub = e.mkdir(v, top, b("d" + d), 0755, Caller.ROOT).ino();
                    for (int f = 0; f < 100; f++) {
                        long ino =
                                e.create(v, sub, b("f" + f), 0644, Caller.ROOT).ino();
                        e.write(v, ino, 0, new byte[] {1});
                    }
                }
                long t0 = System.nanoTime();
                e.publish(v, false);
                created[round] = (System.nanoTime() - t0) / 1e6;

                View m = e.createView("mod" + round, Isolation.SNAPSHOT, 0);
                for (int d = 0; d < 100; d++) {
                    for (int f = 0; f < 100; f++) {
                        e.write(m, e.resolve(m, "r" + round + "/d" + d + "/f" + f), 0, new byte[] {2});
                    }
                }
                t0 = System.nanoTime();
                e.publish(m, false);
                modified[round] = (System.nanoTime() - t0) / 1e6;
            }
        }
        Arrays.sort(created);
        Arrays.sort(modified);
        System.out.printf(
                "publish 10k new files: median %.1f ms (min %.1f); 10k modified files: median %.1f ms (min %.1f)%n",
                created[2], created[0], modified[2], modified[0]);
        try (var paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
