package io.txfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A normal user mounts, works in a view, publishes, flushes and unmounts with no privilege at all (issue 18,
 * point 1): the mount goes through fusermount3, the state directory follows XDG under $HOME, the user's mount
 * is the user's only (no allow_other unless asked and allowed), and txfs run takes the namespace way in
 * through a user namespace where the kernel allows one.
 */
final class UnprivilegedMountIT {
    private static final int UID = Scenarios.UNPRIVILEGED_ID;
    private static final Duration DEADLINE = Duration.ofSeconds(90);

    private Path root;
    private Path jar;

    private ProcessRun asUser(String... args) {
        List<String> cmd = new ArrayList<>(List.of(
                "setpriv",
                "--reuid=" + UID,
                "--regid=" + UID,
                "--clear-groups",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                jar.toString()));
        cmd.addAll(List.of(args));
        return ProcessRun.run(cmd, root, Map.of("HOME", root.resolve("home").toString()), DEADLINE);
    }

    private ProcessRun shellAsUser(String script) {
        return ProcessRun.run(
                List.of("setpriv", "--reuid=" + UID, "--regid=" + UID, "--clear-groups", "/bin/sh", "-c", script),
                root,
                Map.of(),
                DEADLINE);
    }

    /** True when this kernel lets a user make a user namespace: then txfs run binds the view root. */
    private static boolean userNamespacesAllowed() {
        return sysctl("user/max_user_namespaces", 1) > 0
                && sysctl("kernel/unprivileged_userns_clone", 1) == 1
                && sysctl("kernel/apparmor_restrict_unprivileged_userns", 0) == 0;
    }

    private static long sysctl(String name, long absent) {
        try {
            return Long.parseLong(Files.readString(Path.of("/proc/sys", name)).trim());
        } catch (IOException | NumberFormatException e) {
            return absent;
        }
    }

    @Test
    void aUserMountsWorksInAViewPublishesFlushesAndUnmounts() throws Exception {
        MountFixture.requireFuseDevice();
        assertTrue(Files.isExecutable(Path.of("/usr/bin/fusermount3")), "fusermount3 (package fuse3) is installed");
        Path dev = Path.of("/dev/fuse");
        String devMode = PosixFilePermissions.toString(Files.getPosixFilePermissions(dev));
        // fusermount3 opens /dev/fuse as the user: Debian's udev rule makes it 0666; some containers have 0600
        Files.setPosixFilePermissions(dev, PosixFilePermissions.fromString("rw-rw-rw-"));
        root = Files.createTempDirectory("txfs-unpriv-").toRealPath();
        Path backing = Files.createDirectory(root.resolve("backing"));
        Path mnt = Files.createDirectory(root.resolve("mnt"));
        Path home = Files.createDirectory(root.resolve("home"));
        Files.writeString(backing.resolve("seed.txt"), "seed\n");
        Path app = Files.createDirectory(root.resolve("app"));
        jar = MountFixture.readableJarCopy(app);
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        for (Path p : List.of(backing, backing.resolve("seed.txt"), mnt, home)) {
            Files.setAttribute(p, "unix:uid", UID);
            Files.setAttribute(p, "unix:gid", UID);
        }
        Optional<Long> daemon = Optional.empty();
        try {
            ProcessRun mount = asUser("mount", backing.toString(), mnt.toString());
            assertEquals(0, mount.exitCode(), mount.describe());
            String line = MountTable.at(mnt).orElseThrow().toString();
            assertTrue(line.contains("user_id=" + UID), "the mount is the user's: " + line);
            assertFalse(line.contains("allow_other"), "and the user's only: " + line);
            try (Stream<Path> states = Files.list(home.resolve(".local/state/txfs"))) {
                Path state = states.findFirst().orElseThrow();
                daemon = Optional.of(Long.parseLong(
                        Files.readString(state.resolve("daemon.pid")).trim()));
            }
            assertEquals(
                    "EACCES",
                    errnoOf(() -> Files.readString(mnt.resolve("seed.txt"))),
                    "root is not let into a user's mount without allow_other");

            ProcessRun run = asUser(
                    "run",
                    "--mount",
                    mnt.toString(),
                    "--view",
                    "w",
                    "--",
                    "/bin/sh",
                    "-c",
                    "echo built > \"$0/out.txt\" && id -u && cat /proc/self/mountinfo",
                    mnt.toString());
            assertEquals(0, run.exitCode(), run.describe());
            assertTrue(run.stdout().startsWith(UID + "\n"), "the command runs as the user itself\n" + run.describe());
            assertEquals(
                    userNamespacesAllowed(),
                    run.stdout().contains("/.txfs/views/w " + mnt),
                    "the view's root is bound over the mountpoint exactly when user namespaces are allowed\n"
                            + run.describe());
            assertFalse(Files.exists(backing.resolve("out.txt")), "nothing reaches BACKING before a flush");
            ProcessRun before = shellAsUser("cat '" + mnt.resolve("out.txt") + "'");
            assertTrue(
                    before.exitCode() != 0,
                    "others do not see the view's file before its publish\n" + before.describe());

            ProcessRun publish = asUser("publish", "--mount", mnt.toString(), "w");
            assertEquals(0, publish.exitCode(), publish.describe());
            ProcessRun after = shellAsUser("cat '" + mnt.resolve("out.txt") + "'");
            assertEquals(
                    "built\n", after.stdout(), "published, visible to the user's other processes\n" + after.describe());
            assertFalse(Files.exists(backing.resolve("out.txt")), "published is not flushed");

            ProcessRun flush = asUser("flush", "--mount", mnt.toString());
            assertEquals(0, flush.exitCode(), flush.describe());
            assertEquals("built\n", Files.readString(backing.resolve("out.txt")), "flushed into BACKING");
            assertEquals(UID, Files.getAttribute(backing.resolve("out.txt"), "unix:uid"), "owned by the user");

            if (!Files.readString(Path.of("/etc/fuse.conf"), StandardCharsets.UTF_8)
                    .lines()
                    .anyMatch(l -> l.trim().equals("user_allow_other"))) {
                Path other = Files.createDirectory(root.resolve("other"));
                Path otherBacking = Files.createDirectory(root.resolve("other-backing"));
                for (Path p : List.of(other, otherBacking)) Files.setAttribute(p, "unix:uid", UID);
                ProcessRun refused =
                        asUser("mount", "-o", "allow_other", "-f", otherBacking.toString(), other.toString());
                assertEquals(1, refused.exitCode(), refused.describe());
                assertTrue(
                        refused.stderr().contains("user_allow_other"), "fusermount3's reason\n" + refused.describe());
            }

            ProcessRun unmount = asUser("unmount", mnt.toString());
            assertEquals(0, unmount.exitCode(), unmount.describe());
            assertTrue(MountTable.at(mnt).isEmpty(), "unmounted");
            ProcessHandle h = ProcessHandle.of(daemon.get()).orElse(null);
            assertTrue(
                    h == null || h.onExit().get(30, TimeUnit.SECONDS) != null,
                    "the user's daemon exited after the unmount");
        } finally {
            if (MountTable.at(mnt).isPresent()) ProcessRun.run(List.of("umount", "-l", mnt.toString()), DEADLINE);
            daemon.flatMap(ProcessHandle::of).ifPresent(ProcessHandle::destroyForcibly);
            Files.setPosixFilePermissions(dev, PosixFilePermissions.fromString(devMode));
            try (Stream<Path> all = Files.walk(root)) {
                for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
    }

    private interface IoAction {
        void run() throws IOException;
    }

    private static String errnoOf(IoAction a) {
        try {
            a.run();
            return "ok";
        } catch (java.nio.file.AccessDeniedException e) {
            return "EACCES";
        } catch (IOException e) {
            return e.toString();
        }
    }
}
