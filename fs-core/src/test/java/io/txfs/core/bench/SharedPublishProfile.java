package io.txfs.core.bench;

import io.txfs.core.Engine;
import io.txfs.core.EngineConfig;
import io.txfs.core.inspect.engine.DeltaIdLog;
import io.txfs.core.model.Caller;
import io.txfs.core.model.Isolation;
import io.txfs.core.tree.View;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * The shared default as it was before group commit: every write published on its own (force). Prints
 * the rate per block of operations, to see whether the cost per publish grows with history (for
 * profiling; not part of the test suite). Args: WORKDIR OPS [groupSize].
 */
public final class SharedPublishProfile {
    private SharedPublishProfile() {}

    public static void main(String[] args) throws Exception {
        Path dir = Files.createDirectories(Path.of(args[0]));
        int ops = Integer.parseInt(args[1]);
        int group = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        Path backing = Files.createDirectories(dir.resolve("b"));
        try (Engine e = Engine.open(EngineConfig.rocks(backing, dir.resolve("s")));
                DeltaIdLog ids = DeltaIdLog.start(e)) {
            View v = e.createView("shared", Isolation.READ_COMMITTED, 0);
            long[] files = new long[64];
            for (int i = 0; i < files.length; i++) {
                files[i] = e.create(v, Engine.ROOT, ("f" + i).getBytes(StandardCharsets.UTF_8), 0644, Caller.ROOT)
                        .ino();
            }
            e.publish(v, true);
            Random r = new Random(1);
            byte[] data = new byte[512];
            long t0 = System.nanoTime();
            int block = Math.max(1, ops / 10);
            for (int i = 1; i <= ops; i++) {
                r.nextBytes(data);
                e.write(v, files[r.nextInt(files.length)], r.nextInt(1 << 16), data);
                if (i % group == 0) e.publish(v, true);
                if (i % block == 0) {
                    long t1 = System.nanoTime();
                    System.out.printf(
                            "ops %d..%d: %.0f ops/s (head %d)%n",
                            i - block, i, block / ((t1 - t0) / 1e9), e.headVersion());
                    t0 = t1;
                }
            }
        }
    }
}
