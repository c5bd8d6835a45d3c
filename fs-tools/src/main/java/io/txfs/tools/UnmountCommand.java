package io.txfs.tools;

import io.txfs.fuse.FuseMount;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code txfs unmount}: unmount a live mount, or clear a dead one left by a killed daemon. */
@Command(
        name = "unmount",
        aliases = "umount",
        mixinStandardHelpOptions = true,
        description =
                "Unmount MOUNTPOINT; the daemon finishes in-flight requests and exits. Processes still in the mount "
                        + "(e.g. txfs run in a private mount namespace) keep it alive for up to 5 s; then its connection is "
                        + "aborted and they get ENOTCONN. Also clears a dead mount.")
final class UnmountCommand implements Callable<Integer> {
    /** How long in-flight requests and other namespaces' holds may keep the connection after the unmount. */
    private static final long GRACE_MS = 5_000;

    @Parameters(index = "0", paramLabel = "MOUNTPOINT")
    Path mountpoint;

    @Override
    public Integer call() {
        Path mnt = mountpoint.toAbsolutePath().normalize();
        if (FuseMount.clearStaleMount(mnt)) {
            System.err.println("txfs: cleared a dead mount at " + mnt);
            return Txfs.EXIT_OK;
        }
        if (!MountTable.isFuseMountAt(mnt)) {
            throw new UserFacingException("nothing is mounted at " + mnt);
        }
        FuseMount.Ending ending;
        try {
            ending = FuseMount.unmountAndEnd(mnt, GRACE_MS);
        } catch (IOException e) {
            throw new UserFacingException("cannot unmount " + mnt + ": " + e.getMessage(), e);
        }
        if (ending == FuseMount.Ending.ABORTED) {
            System.err.println("txfs: " + mnt + " was still in use in other mount namespaces (txfs run) "
                    + GRACE_MS / 1000 + " s after the unmount; its connection was aborted, so the daemon stopped "
                    + "serving and those processes now get ENOTCONN");
        } else if (ending == FuseMount.Ending.UNOBSERVED) {
            System.err.println("txfs: unmounted " + mnt + " here; /sys/fs/fuse/connections is not available, so "
                    + "processes in other mount namespaces (txfs run) may still keep the daemon serving");
        }
        return Txfs.EXIT_OK;
    }
}
