package io.txfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code txfs unmount} is honest when a {@code txfs run} process in a private mount namespace still
 * holds the mount: the daemon stops serving (its connection is aborted after a grace period) instead
 * of serving on unseen, and the process in the namespace gets ENOTCONN rather than a live view.
 */
final class UnmountIT {
    @RegisterExtension
    static final MountFixture MOUNT = MountFixture.views();

    @Test
    void unmountEndsTheDaemonEvenWhileAMountNamespaceStillHoldsTheMount() throws Exception {
        try (ViewAgent inNamespace = MOUNT.agent("um-held", ViewAgent.Way.NAMESPACE)) {
            inNamespace.write("held.txt", "written before the unmount\n");
            ProcessRun unmount = MOUNT.txfs("unmount", MOUNT.mountpoint().toString());
            assertEquals(0, unmount.exitCode(), unmount.describe());
            assertTrue(
                    unmount.stderr().contains("aborted"),
                    "the unmount says what it did to the holder\n" + unmount.describe());
            Process daemon = MOUNT.daemon();
            assertTrue(
                    daemon.waitFor(30, TimeUnit.SECONDS),
                    "the daemon stopped once unmounted\n" + MOUNT.daemonLogTail(40));
            assertEquals(0, daemon.exitValue(), "and shut down cleanly\n" + MOUNT.daemonLogTail(40));
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
}
