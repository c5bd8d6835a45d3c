package io.txfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code txfs unmount} tells the truth (issue 18, point 6): busy is refused with the processes named,
 * {@code --lazy} serves them until they let go, {@code --force} ends them with ENOTCONN; and after any
 * unmount ({@code umount -l}, {@code fusermount3 -u}) the daemon exits within seconds, even while other
 * mount namespaces hold copies of the mount that no process uses.
 */
final class UnmountIT {
    @RegisterExtension
    static final MountFixture MOUNT = MountFixture.views();

    /** How long a daemon may take to notice its mount is gone: its watch looks every second. */
    private static final Duration NOTICED = Duration.ofSeconds(15);

    /**
     * A process using the mount: its working directory there and a file it wrote held open. Each line on
     * its stdin makes it read the file again and print the contents or the errno's name.
     */
    private static final String HOLDER = String.join(
            "\n",
            "import errno, os, sys",
            "os.chdir(sys.argv[1])",
            "fd = os.open('held-' + str(os.getpid()) + '.txt', os.O_RDWR | os.O_CREAT, 0o644)",
            "os.write(fd, b'held\\n')",
            "print('ready', flush=True)",
            "for line in sys.stdin:",
            "    try:",
            "        print(os.pread(fd, 100, 0).decode().strip(), flush=True)",
            "    except OSError as e:",
            "        print(errno.errorcode.get(e.errno, str(e.errno)), flush=True)");

    private static final class Holder implements AutoCloseable {
        final Process process;
        final BufferedReader out;
        final OutputStream in;

        Holder() {
            try {
                process = new ProcessBuilder(
                                "/usr/bin/python3",
                                "-c",
                                HOLDER,
                                MOUNT.mountpoint().toString())
                        .directory(MOUNT.scratch().toFile())
                        .redirectError(ProcessBuilder.Redirect.INHERIT)
                        .start();
                out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                in = process.getOutputStream();
                assertEquals("ready", out.readLine(), "the holder is in the mount");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        String readAgain() throws IOException {
            in.write('\n');
            in.flush();
            return out.readLine();
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }

    private static void assertMounted(boolean mounted, String why) {
        assertEquals(mounted, MountTable.at(MOUNT.mountpoint()).isPresent(), why);
    }

    private static void assertDaemonEnds(String after) {
        Integer status = MOUNT.awaitDaemonEnd(NOTICED);
        assertNotNull(
                status,
                "the daemon exited within " + NOTICED.toSeconds() + " s " + after + "\n" + MOUNT.daemonLogTail(40));
        assertEquals(0, status, "and shut down cleanly\n" + MOUNT.daemonLogTail(40));
    }

    private static void ensureMounted() {
        if (!MOUNT.daemon().isAlive()) MOUNT.restart();
    }

    @Test
    void aBusyMountIsRefusedNamingItsUsersAndLazyServesThemUntilTheyLetGo() throws Exception {
        ensureMounted();
        String mnt = MOUNT.mountpoint().toString();
        try (Holder holder = new Holder()) {
            ProcessRun plain = MOUNT.txfs("unmount", mnt);
            assertEquals(1, plain.exitCode(), plain.describe());
            String pid = "pid " + holder.process.pid() + " (python3";
            assertTrue(plain.stderr().contains(pid), "the refusal names the holder\n" + plain.describe());
            assertTrue(plain.stderr().contains("working directory, open file"), plain.describe());
            assertTrue(plain.stderr().contains("pending changes are kept"), plain.describe());
            assertMounted(true, "a refused unmount leaves the mount");
            assertEquals("held", holder.readAgain(), "and the holder works on");

            ProcessRun lazy = MOUNT.txfs("unmount", "--lazy", mnt);
            assertEquals(0, lazy.exitCode(), lazy.describe());
            assertTrue(lazy.stderr().contains("serves the processes still using it"), lazy.describe());
            assertTrue(lazy.stderr().contains(pid), lazy.describe());
            assertMounted(false, "a lazy unmount detaches at once");
            assertEquals("held", holder.readAgain(), "the holder is still served after the detach");
            assertTrue(MOUNT.daemon().isAlive(), "the daemon serves the holder\n" + MOUNT.daemonLogTail(20));
            holder.in.close();
            assertTrue(holder.process.waitFor(30, TimeUnit.SECONDS), "the holder finished");
        }
        assertDaemonEnds("after the last user of a lazily unmounted mount let go");
        assertTrue(MOUNT.daemonLog().contains("no process uses it any more"), MOUNT.daemonLogTail(20));
    }

    @Test
    void forceEndsTheConnectionAndItsUsersGetEnotconn() throws Exception {
        ensureMounted();
        try (Holder holder = new Holder()) {
            ProcessRun force =
                    MOUNT.txfs("unmount", "--force", MOUNT.mountpoint().toString());
            assertEquals(0, force.exitCode(), force.describe());
            assertTrue(force.stderr().contains("ended its connection"), force.describe());
            assertTrue(force.stderr().contains("pid " + holder.process.pid()), force.describe());
            assertEquals("ENOTCONN", holder.readAgain(), "the holder sees the mount ended");
            assertMounted(false, "the mount is detached");
        }
        assertDaemonEnds("after unmount --force");
    }

    @Test
    void unmountEndsTheDaemonEvenWhileAMountNamespaceStillHoldsTheMount() throws Exception {
        ensureMounted();
        try (ViewAgent inNamespace = MOUNT.agent("um-held", ViewAgent.Way.NAMESPACE)) {
            inNamespace.write("held.txt", "written before the unmount\n");
            ProcessRun unmount = MOUNT.txfs("unmount", MOUNT.mountpoint().toString());
            assertEquals(0, unmount.exitCode(), unmount.describe());
            assertTrue(
                    unmount.stderr().contains("ENOTCONN"),
                    "the unmount says what became of the namespace's copy\n" + unmount.describe());
            assertDaemonEnds("after txfs unmount, the copy in a namespace used by no process");
            assertEquals(
                    "ENOTCONN",
                    inNamespace.errno("read", "path", MOUNT.mnt("held.txt")),
                    "the process in the namespace sees the mount gone, not a daemon serving on unseen");
        }
        MOUNT.restart();
        try (ViewAgent again = MOUNT.agent("um-held", ViewAgent.Way.NAMESPACE)) {
            assertEquals(
                    "written before the unmount\n", again.read("held.txt"), "the view's change survived the unmount");
        }
    }

    /** The daemon found running 30 minutes after its mount was gone: a copy in an unrelated namespace. */
    @Test
    void anExternalLazyUnmountEndsTheDaemonThoughAnUnrelatedNamespaceHoldsACopy() throws Exception {
        ensureMounted();
        Process unshared = new ProcessBuilder("unshare", "-m", "/bin/sh", "-c", "echo ready; read x")
                .directory(MOUNT.scratch().toFile())
                .start();
        try {
            BufferedReader out =
                    new BufferedReader(new InputStreamReader(unshared.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("ready", out.readLine(), "a namespace with a copy of the mount exists");
            ProcessRun umount = MOUNT.run(
                    MOUNT.scratch(), List.of("umount", "-l", MOUNT.mountpoint().toString()));
            assertEquals(0, umount.exitCode(), umount.describe());
            assertDaemonEnds("after umount -l, with a copy in another namespace");
            assertTrue(unshared.isAlive(), "the daemon's end does not touch unrelated processes");
        } finally {
            unshared.destroyForcibly();
        }
    }

    @Test
    void fusermountUnmountEndsTheDaemon() throws Exception {
        ensureMounted();
        ProcessRun fusermount = MOUNT.run(
                MOUNT.scratch(), List.of("fusermount3", "-u", MOUNT.mountpoint().toString()));
        assertEquals(0, fusermount.exitCode(), fusermount.describe());
        assertDaemonEnds("after fusermount3 -u");
        assertMounted(false, "nothing is left mounted");
    }
}
