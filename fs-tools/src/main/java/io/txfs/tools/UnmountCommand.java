package io.txfs.tools;

import io.txfs.fuse.FuseMount;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code txfs unmount}: unmount a live mount, or clear a dead one left by a killed daemon. */
@Command(name = "unmount", aliases = "umount", mixinStandardHelpOptions = true,
        description = "Unmount MOUNTPOINT; the daemon finishes in-flight requests and exits. Also clears a dead mount.")
final class UnmountCommand implements Callable<Integer> {
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
        try {
            FuseMount.unmount(mnt);
        } catch (IOException e) {
            throw new UserFacingException("cannot unmount " + mnt + ": " + e.getMessage(), e);
        }
        return Txfs.EXIT_OK;
    }
}
