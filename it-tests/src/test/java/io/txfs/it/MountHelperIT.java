package io.txfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * mount(8) mounts txfs as any FUSE filesystem (issue 18, point 2): {@code mount -t fuse.txfs BACKING MNT -o
 * state=DIR} and an fstab line (read from a temporary file with {@code mount -T}) reach {@code txfs BACKING
 * MNT -o OPTIONS} through mount.fuse3, which finds {@code txfs} on the standard PATH. A launcher for the
 * tested build is put at /usr/local/bin/txfs for the test when none is installed there, and removed after.
 */
final class MountHelperIT {
    private static final Path LAUNCHER = Path.of("/usr/local/bin/txfs");
    private static final Duration DEADLINE = Duration.ofSeconds(90);
    private static boolean placed;

    @BeforeAll
    static void launcher() throws IOException {
        MountFixture.requireFuseDevice();
        if (Files.exists(LAUNCHER)) return; // an installed txfs: mount.fuse3 runs that one
        Files.writeString(
                LAUNCHER,
                "#!/bin/sh\nexec " + Path.of(System.getProperty("java.home"), "bin", "java") + " -jar "
                        + MountFixture.jar() + " \"$@\"\n");
        Files.setPosixFilePermissions(LAUNCHER, PosixFilePermissions.fromString("rwxr-xr-x"));
        placed = true;
    }

    @AfterAll
    static void removeLauncher() throws IOException {
        if (placed) Files.deleteIfExists(LAUNCHER);
    }

    private static void mountedThenUnmounted(Path root, List<String> mountCommand) throws Exception {
        Path backing = root.resolve("backing"), mnt = root.resolve("mnt"), state = root.resolve("state");
        try {
            ProcessRun mount = ProcessRun.run(mountCommand, DEADLINE);
            assertEquals(0, mount.exitCode(), mount.describe());
            assertEquals("seed\n", Files.readString(mnt.resolve("seed.txt")), "BACKING is served at MNT");
            assertTrue(
                    MountTable.at(mnt).orElseThrow().toString().contains("fuse.txfs"),
                    "a fuse.txfs mount: " + MountTable.at(mnt));
            assertTrue(Files.isRegularFile(state.resolve("daemon.pid")), "the state=DIR option was taken");
        } finally {
            long pid = Files.isRegularFile(state.resolve("daemon.pid"))
                    ? Long.parseLong(
                            Files.readString(state.resolve("daemon.pid")).trim())
                    : -1;
            if (MountTable.at(mnt).isPresent()) {
                ProcessRun unmount = ProcessRun.run(List.of(LAUNCHER.toString(), "unmount", mnt.toString()), DEADLINE);
                assertEquals(0, unmount.exitCode(), unmount.describe());
            }
            ProcessHandle.of(pid).ifPresent(h -> {
                try {
                    h.onExit().get(30, TimeUnit.SECONDS);
                } catch (Exception e) {
                    h.destroyForcibly();
                    throw new AssertionError("the daemon did not exit after the unmount", e);
                }
            });
        }
    }

    private static Path tree() throws IOException {
        Path root = Files.createTempDirectory("txfs-helper-").toRealPath();
        Files.createDirectories(root.resolve("backing"));
        Files.createDirectories(root.resolve("mnt"));
        Files.writeString(root.resolve("backing/seed.txt"), "seed\n");
        return root;
    }

    private static void delete(Path root) throws IOException {
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    @Test
    void mountDashTWithTxfsOptions() throws Exception {
        Path root = tree();
        try {
            mountedThenUnmounted(
                    root,
                    List.of(
                            "mount",
                            "-t",
                            "fuse.txfs",
                            root.resolve("backing").toString(),
                            root.resolve("mnt").toString(),
                            "-o",
                            "state=" + root.resolve("state") + ",nofail,default_view=shared"));
        } finally {
            delete(root);
        }
    }

    @Test
    void anFstabLine() throws Exception {
        Path root = tree();
        try {
            Path fstab = root.resolve("fstab");
            Files.writeString(
                    fstab,
                    "# a line as in /etc/fstab\n" + root.resolve("backing") + " " + root.resolve("mnt")
                            + " fuse.txfs state=" + root.resolve("state") + ",noauto,x-systemd.automount 0 0\n");
            mountedThenUnmounted(
                    root,
                    List.of("mount", "-T", fstab.toString(), root.resolve("mnt").toString()));
        } finally {
            delete(root);
        }
    }
}
