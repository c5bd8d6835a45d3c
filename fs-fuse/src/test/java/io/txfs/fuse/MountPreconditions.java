package io.txfs.fuse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/** Real-mount tests run wherever /dev/fuse exists; only its absence skips them (loudly). */
final class MountPreconditions {
    private MountPreconditions() {}

    static void requireFuse() {
        boolean present = Files.exists(Path.of("/dev/fuse"));
        if (!present) {
            System.err.println("SKIPPING real-mount test: /dev/fuse is absent on this machine");
        }
        Assumptions.assumeTrue(present, "/dev/fuse is absent");
    }

    static boolean mounted(Path mp) throws IOException {
        String target = " " + mp.toAbsolutePath().normalize() + " ";
        return Files.readAllLines(Path.of("/proc/mounts")).stream().anyMatch(l -> l.contains(target));
    }
}
