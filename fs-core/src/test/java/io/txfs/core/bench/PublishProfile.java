package io.txfs.core.bench;

import io.txfs.core.Engine;
import io.txfs.core.EngineConfig;
import io.txfs.core.model.Caller;
import io.txfs.core.model.Isolation;
import io.txfs.core.tree.View;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Times publish of N new files, repeatedly (for profiling; not part of the test suite). */
public final class PublishProfile {
    private PublishProfile() {}

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("pubprof");
        Path backing = Files.createDirectories(dir.resolve("b"));
        try (Engine e = Engine.open(EngineConfig.rocks(backing, dir.resolve("s")))) {
            for (int round = 0; round < 5; round++) {
                View v = e.createView("v" + round, Isolation.SNAPSHOT, 0);
                long dirIno = e.mkdir(v, Engine.ROOT, ("d" + round).getBytes(StandardCharsets.UTF_8), 0755, Caller.ROOT)
                        .ino();
                long t0 = System.nanoTime();
                for (int i = 0; i < 10_000; i++) {
                    long ino = e.create(v, dirIno, ("f" + i).getBytes(StandardCharsets.UTF_8), 0644, Caller.ROOT)
                            .ino();
                    e.write(v, ino, 0, new byte[] {1});
                }
                long t1 = System.nanoTime();
                e.publish(v, false);
                long t2 = System.nanoTime();
                System.out.printf(
                        "round %d: 10k create+write %.0f ms, publish %.0f ms%n",
                        round, (t1 - t0) / 1e6, (t2 - t1) / 1e6);
            }
        }
    }
}
