package io.txfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The daemon's life: mounted means serving, and every way it ends leaves no mount and no process. */
class MountLifecycleIT {
    @BeforeAll
    static void fuseDevice() {
        MountFixture.requireFuseDevice();
    }

    @Test
    void theMountIsAFuseTxfsMountThatServesTheBackingDirectoryAndUnmountsCleanly() throws IOException {
        Path mountpoint;
        try (MountFixture mount = MountFixture.mountPassthrough()) {
            mountpoint = mount.mountpoint();
            MountTable.Mount entry = MountTable.at(mountpoint).orElseThrow();
            assertEquals("fuse.txfs", entry.fsType(), () -> "mountinfo entry: " + entry);
            Files.writeString(mount.backing().resolve("from-backing"), "visible");
            assertEquals("visible", Files.readString(mountpoint.resolve("from-backing")));
            Files.writeString(mountpoint.resolve("from-mount"), "stored");
            assertEquals("stored", Files.readString(mount.backing().resolve("from-mount")));
        }
        assertTrue(MountTable.at(mountpoint).isEmpty(), "no mount is left after close");
    }

    @Test
    void theBackingDirectoryCanBeItsOwnMountpoint() throws IOException {
        try (MountFixture mount = MountFixture.passthroughOverBacking()) {
            mount.createDirectories();
            Files.writeString(mount.backing().resolve("before"), "underneath");
            mount.start();
            assertEquals(mount.backing(), mount.mountpoint());
            assertEquals("underneath", Files.readString(mount.mountpoint().resolve("before")));
            TranscriptComparison.assertSameAsNative(mount, "links.py");
            Files.writeString(mount.mountpoint().resolve("during"), "written through the mount");
            ProcessRun unmount = ProcessRun.run(
                    MountFixture.command("unmount", mount.mountpoint().toString()), MountFixture.EXIT_DEADLINE);
            assertTrue(unmount.succeeded(), unmount::describe);
            assertTrue(MountTable.at(mount.mountpoint()).isEmpty(), "unmounted");
            // The same directory, uncovered, holds what was written through the mount.
            assertEquals(
                    "written through the mount",
                    Files.readString(mount.backing().resolve("during")));
        }
    }

    @Test
    void sigtermFinishesTheDaemonAndRemovesTheMount() {
        try (MountFixture mount = MountFixture.mountPassthrough()) {
            int status = mount.stopDaemon(false);
            assertTrue(
                    MountFixture.await(
                            Duration.ofSeconds(10),
                            () -> MountTable.at(mount.mountpoint()).isEmpty()),
                    () -> "the mount is still there after SIGTERM; daemon stderr:\n" + mount.daemonLog());
            // A JVM ended by SIGTERM reports 143 unless the daemon exits on its own after unmounting.
            assertTrue(status == 0 || status == 143, () -> "exit status after SIGTERM: " + status);
        }
    }

    /**
     * {@code java -jar txfs.jar mount -f} gets the JVM's default heap (a quarter of the machine): the daemon
     * re-executes itself, in the same process, in a JVM sized as the detached daemon's (docs/memory.md).
     */
    @Test
    void aForegroundDaemonReplacesItselfByASizedJvmKeepingItsPid() throws IOException {
        try (MountFixture mount = MountFixture.mountPassthrough()) {
            long pid = mount.daemon().pid();
            String cmdline =
                    Files.readString(Path.of("/proc/" + pid + "/cmdline")).replace('\0', ' ');
            assertTrue(
                    cmdline.contains(" -Xmx192m ") && cmdline.contains(" -Dtxfs.daemon.sized=true "),
                    () -> "the serving daemon (pid " + pid + ") runs " + cmdline);
            Files.writeString(mount.mountpoint().resolve("f"), "served");
            assertEquals("served", Files.readString(mount.backing().resolve("f")));
        }
    }

    @Test
    void sigintFinishesTheDaemonAndRemovesTheMount() {
        try (MountFixture mount = MountFixture.mountPassthrough()) {
            ProcessRun kill = ProcessRun.run(
                    List.of("kill", "-INT", Long.toString(mount.daemon().pid())), Duration.ofSeconds(10));
            assertTrue(kill.succeeded(), kill::describe);
            Integer status = mount.awaitExit(MountFixture.EXIT_DEADLINE);
            mount.stopDaemon(true); // no-op if it is gone; ends it if it ignored SIGINT
            assertTrue(status != null, () -> "the daemon did not exit after SIGINT; stderr:\n" + mount.daemonLog());
            assertTrue(
                    MountFixture.await(
                            Duration.ofSeconds(10),
                            () -> MountTable.at(mount.mountpoint()).isEmpty()),
                    () -> "the mount is still there after SIGINT; daemon stderr:\n" + mount.daemonLog());
            assertTrue(status == 0 || status == 130, () -> "exit status after SIGINT: " + status);
        }
    }

    @Test
    void afterSigkillTxfsUnmountClearsTheDeadMount() {
        try (MountFixture mount = MountFixture.mountPassthrough()) {
            mount.stopDaemon(true);
            assertTrue(MountTable.at(mount.mountpoint()).isPresent(), "a killed daemon leaves its mount behind");
            ProcessRun unmount = ProcessRun.run(
                    MountFixture.command("unmount", mount.mountpoint().toString()), MountFixture.EXIT_DEADLINE);
            assertTrue(unmount.succeeded(), unmount::describe);
            assertTrue(MountTable.at(mount.mountpoint()).isEmpty(), "txfs unmount removed the dead mount");
        }
    }

    /**
     * SIGKILL while the mount is coming up (INIT answered, the startup probe's stat maybe in flight): the
     * daemon must still die at once. The probe used to be a thread of the daemon stat-ing its own mount,
     * which the kernel cannot interrupt once a reader has taken the request: a daemon killed then stayed
     * unkillable and its mount hung.
     */
    @Test
    void aSigkillWhileTheMountComesUpNeverLeavesAnUnkillableDaemon() throws Exception {
        MountFixture.requireFuseDevice();
        Path root = Files.createTempDirectory("txfs-it-early-kill-");
        Path backing = Files.createDirectory(root.resolve("backing"));
        Path mountpoint = Files.createDirectory(root.resolve("mnt"));
        try {
            for (int round = 0; round < 5; round++) {
                Process daemon = new ProcessBuilder(MountFixture.command(
                                "mount",
                                "-f",
                                "--mode",
                                "passthrough",
                                "--state",
                                root.resolve("state").toString(),
                                backing.toString(),
                                mountpoint.toString()))
                        .redirectErrorStream(true)
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                        .start();
                try (BufferedReader out =
                        new BufferedReader(new InputStreamReader(daemon.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = out.readLine()) != null && !line.contains("negotiated FUSE")) {
                        // the kill comes right after INIT, before the daemon reports the mount as served
                    }
                    daemon.destroyForcibly();
                    assertTrue(
                            daemon.waitFor(15, TimeUnit.SECONDS), "round " + round + ": the daemon survived SIGKILL");
                } finally {
                    daemon.destroyForcibly();
                }
                ProcessRun unmount = ProcessRun.run(
                        MountFixture.command("unmount", mountpoint.toString()), MountFixture.EXIT_DEADLINE);
                assertTrue(
                        MountTable.at(mountpoint).isEmpty(),
                        "round " + round + ": the dead mount was cleared: " + unmount.describe());
            }
        } finally {
            if (MountTable.at(mountpoint).isPresent()) {
                ProcessRun.run(List.of("umount", "-l", mountpoint.toString()), Duration.ofSeconds(20));
            }
            if (MountTable.at(mountpoint).isEmpty()) {
                try (Stream<Path> paths = Files.walk(root)) {
                    paths.sorted(Comparator.reverseOrder())
                            .forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    @Test
    void afterSigkillTheNextMountClearsTheDeadMountAndServes() throws IOException {
        try (MountFixture mount = MountFixture.mountPassthrough()) {
            Files.writeString(mount.mountpoint().resolve("before"), "kept");
            mount.stopDaemon(true);
            mount.start();
            long mountsThere = MountTable.read().stream()
                    .filter(m -> m.mountPoint().equals(mount.mountpoint().toString()))
                    .count();
            assertEquals(
                    1,
                    mountsThere,
                    () -> "the new mount replaced the dead one instead of stacking on it; mounts under "
                            + mount.scratch() + ": "
                            + MountTable.read().stream()
                                    .filter(m -> m.mountPoint()
                                            .startsWith(mount.scratch().toString()))
                                    .toList()
                            + "\ndaemon log:\n" + mount.daemonLog());
            assertEquals("kept", Files.readString(mount.mountpoint().resolve("before")));
        }
    }

    /**
     * A detached daemon leads its own session, and checks that its mount serves by running stat(1) in it:
     * that child of the daemon must not start a session view (one lingered for every daemon start).
     */
    @Test
    void theDetachedDaemonsServingCheckStartsNoView() throws IOException {
        Path root = Files.createTempDirectory("txfs-it-detached-views-");
        Path backing = Files.createDirectory(root.resolve("backing"));
        Path mountpoint = Files.createDirectory(root.resolve("mnt"));
        try {
            ProcessRun mount = ProcessRun.run(
                    MountFixture.command(
                            "mount",
                            "--state",
                            root.resolve("state").toString(),
                            backing.toString(),
                            mountpoint.toString()),
                    MountFixture.MOUNT_DEADLINE);
            assertTrue(mount.succeeded(), mount::describe);
            Matcher pid = Pattern.compile("daemon pid (\\d+)").matcher(mount.stderr());
            assertTrue(pid.find(), mount::describe);
            ProcessRun views = ProcessRun.run(
                    MountFixture.command("views", "--mount", mountpoint.toString()), MountFixture.EXIT_DEADLINE);
            assertTrue(views.succeeded(), views::describe);
            assertFalse(
                    views.stdout().contains("session-" + pid.group(1) + " "),
                    () -> "no view for the daemon's own session (" + pid.group(1) + "):\n" + views.stdout());
        } finally {
            if (MountTable.at(mountpoint).isPresent()) {
                ProcessRun.run(MountFixture.command("unmount", mountpoint.toString()), MountFixture.EXIT_DEADLINE);
            }
            if (MountTable.at(mountpoint).isPresent()) {
                ProcessRun.run(List.of("umount", "-l", mountpoint.toString()), Duration.ofSeconds(20));
            }
            daemonsServing(mountpoint).forEach(ProcessHandle::destroyForcibly);
            TranscriptComparison.deleteTree(root);
        }
    }

    @Test
    void withoutForegroundMountReturnsOnlyOnceTheMountServes() throws IOException {
        Path root = Files.createTempDirectory("txfs-it-detached-");
        Path backing = Files.createDirectory(root.resolve("backing"));
        Path mountpoint = Files.createDirectory(root.resolve("mnt"));
        Files.writeString(backing.resolve("hello"), "world");
        try {
            ProcessRun mount = ProcessRun.run(
                    MountFixture.command(
                            "mount",
                            "--state",
                            root.resolve("state").toString(),
                            "--mode",
                            "passthrough",
                            backing.toString(),
                            mountpoint.toString()),
                    MountFixture.MOUNT_DEADLINE);
            assertTrue(mount.succeeded(), mount::describe);
            // No waiting here: returning is the promise that the mount already serves.
            assertTrue(MountTable.at(mountpoint).map(MountTable.Mount::isFuse).orElse(false), "mounted on return");
            assertEquals(Optional.empty(), MountFixture.statAnswers(mountpoint, Duration.ofSeconds(5)));
            assertEquals("world", Files.readString(mountpoint.resolve("hello")));
            ProcessRun unmount =
                    ProcessRun.run(MountFixture.command("unmount", mountpoint.toString()), MountFixture.EXIT_DEADLINE);
            assertTrue(unmount.succeeded(), unmount::describe);
            assertTrue(MountTable.at(mountpoint).isEmpty(), "unmounted");
            assertTrue(
                    MountFixture.await(
                            MountFixture.EXIT_DEADLINE,
                            () -> daemonsServing(mountpoint).isEmpty()),
                    () -> "the detached daemon is still running after unmount: " + daemonsServing(mountpoint));
        } finally {
            if (MountTable.at(mountpoint).isPresent()) {
                ProcessRun.run(List.of("umount", "-l", mountpoint.toString()), Duration.ofSeconds(20));
            }
            // The detached daemon was started by this test, so ending it (by its pid) is this test's job.
            daemonsServing(mountpoint).forEach(ProcessHandle::destroyForcibly);
            TranscriptComparison.deleteTree(root);
        }
    }

    @Test
    void aMountThatCannotStartFailsClearlyAndLeavesNothing() throws IOException {
        Path root = Files.createTempDirectory("txfs-it-bad-");
        Path mountpoint = Files.createDirectory(root.resolve("mnt"));
        try {
            ProcessRun mount = ProcessRun.run(
                    MountFixture.command(
                            "mount",
                            "-f",
                            "--state",
                            root.resolve("state").toString(),
                            "--mode",
                            "passthrough",
                            root.resolve("no-such-backing").toString(),
                            mountpoint.toString()),
                    MountFixture.MOUNT_DEADLINE);
            assertFalse(mount.timedOut(), "the daemon gave up instead of hanging");
            assertNotEquals(0, mount.exitCode(), mount::describe);
            assertTrue(
                    mount.stderr().contains("no-such-backing"), () -> "the error names the path:\n" + mount.describe());
            assertTrue(MountTable.at(mountpoint).isEmpty(), "no mount is left");
        } finally {
            if (MountTable.at(mountpoint).isPresent()) {
                ProcessRun.run(List.of("umount", "-l", mountpoint.toString()), Duration.ofSeconds(20));
            }
            TranscriptComparison.deleteTree(root);
        }
    }

    // ------------------------------------------------------------------ a state directory belongs to one BACKING

    /** A refusal is exit 1 with one line on stderr naming the directories involved, and no mount. */
    private static void assertRefused(ProcessRun r, Path mountpoint, Path... named) {
        assertEquals(1, r.exitCode(), r::describe);
        List<String> lines = r.stderr().strip().lines().toList();
        assertEquals(1, lines.size(), () -> "one line on stderr:\n" + r.describe());
        for (Path p : named) {
            assertTrue(lines.get(0).contains(p.toString()), () -> "the refusal names " + p + ":\n" + r.describe());
        }
        assertTrue(MountTable.at(mountpoint).isEmpty(), "nothing was mounted at " + mountpoint);
    }

    private static ProcessRun mount(Path state, Path backing, Path mountpoint, String... options) {
        List<String> args = new ArrayList<>(List.of("mount", "--state", state.toString()));
        args.addAll(List.of(options));
        args.add(backing.toString());
        args.add(mountpoint.toString());
        return ProcessRun.run(MountFixture.command(args.toArray(String[]::new)), MountFixture.MOUNT_DEADLINE);
    }

    private static void unmount(Path mountpoint) {
        if (MountTable.at(mountpoint).isPresent()) {
            ProcessRun.run(MountFixture.command("unmount", mountpoint.toString()), MountFixture.EXIT_DEADLINE);
        }
        if (MountTable.at(mountpoint).isPresent()) {
            ProcessRun.run(List.of("umount", "-l", mountpoint.toString()), Duration.ofSeconds(20));
        }
        assertTrue(
                MountFixture.await(
                        MountFixture.EXIT_DEADLINE,
                        () -> daemonsServing(mountpoint).isEmpty()),
                () -> "the detached daemon of " + mountpoint + " is still running: " + daemonsServing(mountpoint));
    }

    private static void mountedThenUnmounted(Path state, Path backing, Path mountpoint, String... options) {
        try {
            ProcessRun r = mount(state, backing, mountpoint, options);
            assertTrue(r.succeeded(), r::describe);
            assertEquals(Optional.empty(), MountFixture.statAnswers(mountpoint, Duration.ofSeconds(10)));
        } finally {
            unmount(mountpoint);
        }
    }

    /**
     * A state directory that recorded another backing directory, and a backing directory owned by another
     * state directory, are refused with one line naming both, unless --adopt takes them over.
     */
    @Test
    void aStateDirectoryAndABackingDirectoryPairOnlyWithEachOtherUnlessAdopted() throws IOException {
        Path root = Files.createTempDirectory("txfs-it-pairing-").toRealPath();
        Path backing1 = Files.createDirectory(root.resolve("backing1"));
        Path backing2 = Files.createDirectory(root.resolve("backing2"));
        Path mountpoint = Files.createDirectory(root.resolve("mnt"));
        Path state = root.resolve("state");
        Path state2 = root.resolve("state2");
        try {
            mountedThenUnmounted(state, backing1, mountpoint);
            assertRefused(mount(state, backing2, mountpoint), mountpoint, state, backing1, backing2);
            unmount(mountpoint); // only if the refusal failed to happen
            assertRefused(mount(state2, backing1, mountpoint), mountpoint, backing1, state, state2);
            unmount(mountpoint);
            mountedThenUnmounted(state2, backing1, mountpoint, "--adopt");
            mountedThenUnmounted(state, backing2, mountpoint, "--adopt");
            assertRefused(mount(state, backing1, mountpoint), mountpoint, backing1, state);
        } finally {
            unmount(mountpoint);
            TranscriptComparison.deleteTree(root);
        }
    }

    /** A backing directory a live daemon serves is refused to a second state directory, --adopt or not. */
    @Test
    void aLiveBackingDirectoryIsNotServedWithASecondStateDirectory() throws IOException {
        try (MountFixture live = MountFixture.views()) {
            live.start();
            Path mnt2 = Files.createDirectory(live.scratch().resolve("mnt2"));
            Path state2 = live.scratch().resolve("state2");
            try {
                assertRefused(mount(state2, live.backing(), mnt2), mnt2, live.backing(), live.stateDirectory(), state2);
                unmount(mnt2);
                assertRefused(
                        mount(state2, live.backing(), mnt2, "--adopt"),
                        mnt2,
                        live.backing(),
                        live.stateDirectory(),
                        state2);
            } finally {
                unmount(mnt2);
            }
            assertEquals(
                    Optional.empty(),
                    MountFixture.statAnswers(live.mountpoint(), Duration.ofSeconds(10)),
                    "the live mount still serves");
        }
    }

    /**
     * The pairing is recorded in BACKING/.txfs, which no view shows and no delta, hash or flush touches;
     * a daemon killed with SIGKILL leaves a claim that does not block its restart with the same state.
     */
    @Test
    void afterSigkillTheSameStateDirectoryServesAgainAndTheMarkerStaysOutOfEveryTree() throws IOException {
        try (MountFixture m = MountFixture.views()) {
            m.start();
            Path marker = m.backing().resolve(".txfs/owner");
            String recorded = Files.readString(marker);
            assertTrue(recorded.contains("state=" + m.stateDirectory()), recorded);
            m.stopDaemon(true);
            m.restart(); // fails unless the new daemon serves
            assertEquals(recorded, Files.readString(marker), "the restart kept the pairing");
            try (ViewAgent a = m.agent("lc-marker", ViewAgent.Way.SHARED_ROOT)) {
                a.write("new.txt", "new\n");
                assertFalse(a.list("").contains(".txfs"), "hidden from the view's listing");
                JsonNode status = a.ctl("status");
                assertEquals(1, status.path("reply").path("changed_paths").asInt(), "only the file written: " + status);
                assertTrue(a.ctl("commit").path("errno").isNull());
            }
            assertEquals("new\n", Files.readString(m.backing().resolve("new.txt")), "flushed");
            assertEquals(recorded, Files.readString(marker), "the flush left the marker alone");
            ProcessRun backingHash = m.txfs("hash", "--mount", m.mountpoint().toString(), "--backing");
            ProcessRun publishedHash = m.txfs("hash", "--mount", m.mountpoint().toString(), "--published");
            assertTrue(
                    backingHash.succeeded() && publishedHash.succeeded(),
                    backingHash.describe() + publishedHash.describe());
            assertEquals(
                    publishedHash.stdout(),
                    backingHash.stdout(),
                    "the backing directory hashes as the published state, marker and all");
        }
    }

    /** MOUNTPOINT = BACKING: the claim is taken before the mount covers the directory, and after SIGKILL again. */
    @Test
    void aBackingDirectoryMountedOverItselfIsClaimedAgainAfterSigkill() throws IOException {
        Path root = Files.createTempDirectory("txfs-it-self-claim-").toRealPath();
        Path backing = Files.createDirectory(root.resolve("backing"));
        Path state = root.resolve("state");
        Files.writeString(backing.resolve("under.txt"), "underneath\n");
        try {
            ProcessRun first = mount(state, backing, backing);
            assertTrue(first.succeeded(), first::describe);
            Matcher pid = Pattern.compile("daemon pid (\\d+)").matcher(first.stderr());
            assertTrue(pid.find(), first::describe);
            ProcessHandle daemon =
                    ProcessHandle.of(Long.parseLong(pid.group(1))).orElseThrow();
            daemon.destroyForcibly();
            assertTrue(
                    MountFixture.await(MountFixture.EXIT_DEADLINE, () -> !daemon.isAlive()),
                    "the daemon died of SIGKILL");
            ProcessRun again = mount(state, backing, backing);
            assertTrue(again.succeeded(), again::describe);
            assertEquals("underneath\n", Files.readString(backing.resolve("under.txt")));
        } finally {
            unmount(backing);
            TranscriptComparison.deleteTree(root);
        }
    }

    /** Processes whose command line names this mountpoint (there is at most the one this test started). */
    private static List<ProcessHandle> daemonsServing(Path mountpoint) {
        String path = mountpoint.toString();
        return ProcessHandle.allProcesses()
                .filter(p -> p.pid() != ProcessHandle.current().pid())
                .filter(p -> p.info()
                        .arguments()
                        .map(args -> List.of(args).contains(path))
                        .orElse(false))
                .toList();
    }
}
