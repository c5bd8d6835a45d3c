package io.txfs.core.bench;

import io.txfs.core.Engine;
import io.txfs.core.EngineConfig;
import io.txfs.core.model.AttributeChange;
import io.txfs.core.model.Caller;
import io.txfs.core.model.Isolation;
import io.txfs.core.tree.View;
import io.txfs.sys.LibC;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Flush of many small new files, then of metadata changes to all of them in place. Not a test.
 * Args: DIR N [procfd]; procfd reaches BACKING as /proc/self/fd/N/. as the mount does (ViewMount).
 */
public final class FlushManyBench {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int n = Integer.parseInt(args[1]);
        Path backing = Files.createDirectories(dir.resolve("backing"));
        if (args.length > 2 && args[2].equals("procfd")) {
            byte[] c = (backing.toAbsolutePath() + "\0").getBytes(StandardCharsets.UTF_8);
            int fd = LibC.INSTANCE.open(c, 0x200000 | 0x10000, 0); // O_PATH | O_DIRECTORY
            if (fd < 0) throw new IllegalStateException("open " + backing);
            backing = Path.of("/proc/self/fd/" + fd + "/.");
        }
        try (Engine e = Engine.open(EngineConfig.rocks(backing, dir.resolve("state")))) {
            View v = e.createView("w", Isolation.SNAPSHOT, 0);
            long[] ids = new long[n];
            for (int d = 0; d < 50; d++) {
                long di = e.mkdir(v, Engine.ROOT, ("d" + d).getBytes(StandardCharsets.UTF_8), 0755, Caller.ROOT)
                        .ino();
                for (int i = d; i < n; i += 50) {
                    ids[i] = e.create(v, di, ("f" + i).getBytes(StandardCharsets.UTF_8), 0644, Caller.ROOT)
                            .ino();
                    e.write(v, ids[i], 0, ("content " + i).getBytes(StandardCharsets.UTF_8));
                }
            }
            e.publish(v, false);
            long t0 = System.nanoTime();
            e.flush();
            long t1 = System.nanoTime();
            for (long id : ids) e.setattr(v, id, AttributeChange.perm(0600));
            e.publish(v, false);
            long t2 = System.nanoTime();
            e.flush();
            long t3 = System.nanoTime();
            System.out.printf(
                    "new %d files: %.0f ms; chmod of %d in place: %.0f ms%n", n, (t1 - t0) / 1e6, n, (t3 - t2) / 1e6);
        }
    }
}
