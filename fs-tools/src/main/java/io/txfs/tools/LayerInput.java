package io.txfs.tools;

import io.txfs.sys.LibC;
import io.txfs.sys.ProcFds;
import io.txfs.sys.Sys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The descriptor {@code txfs import} hands the daemon for the layer: stdin itself when it is a regular
 * file, or, when stdin is a pipe, a device or a file inside a txfs mount, a copy of it spooled outside.
 * The daemon must never read through its own mount (docs/fuse-protocol.md, "The daemon never calls into its own mount"): a SIGKILL while it waits
 * on itself would leave a daemon that cannot exit and a hung mount. This process may read the mount.
 */
final class LayerInput implements AutoCloseable {
    private static final Path STDIN = Path.of("/proc/self/fd/0");
    private final int fd;
    private final Path spool;

    private LayerInput(int fd, Path spool) {
        this.fd = fd;
        this.spool = spool;
    }

    static LayerInput ofStdin() {
        try {
            long self = ProcessHandle.current().pid();
            // the daemon refuses a descriptor on any txfs mount by the same test, and anything but a regular
            // file (CallerDescriptor): a pipe is spooled here, where waiting on it costs only this process
            if (!ProcFds.onTxfsMount(self, 0) && Files.isRegularFile(STDIN)) {
                return new LayerInput(0, null);
            }
            Path spool = Files.createTempFile("txfs-import-", ".tar");
            int fd = -1;
            try {
                Files.copy(STDIN, spool, StandardCopyOption.REPLACE_EXISTING);
                fd = LibC.INSTANCE.open(spool.toString(), Sys.O_RDONLY | Sys.O_CLOEXEC, 0);
                if (fd < 0) {
                    throw new IOException("open " + spool + ": errno " + LibC.errno());
                }
                if (ProcFds.onTxfsMount(self, fd)) {
                    throw new UserFacingException(
                            "the temporary directory " + spool.getParent() + " is inside a txfs mount; "
                                    + "pipe the layer (cat FILE | txfs import VIEW) or set TXFS_JAVA_OPTS=-Djava.io.tmpdir=DIR");
                }
                return new LayerInput(fd, spool);
            } catch (IOException | RuntimeException e) {
                if (fd >= 0) {
                    LibC.INSTANCE.close(fd);
                }
                Files.deleteIfExists(spool);
                throw e;
            }
        } catch (IOException e) {
            throw new UserFacingException("reading the layer from stdin: " + e.getMessage(), e);
        }
    }

    int fd() {
        return fd;
    }

    @Override
    public void close() {
        if (spool != null) {
            LibC.INSTANCE.close(fd);
            try {
                Files.deleteIfExists(spool);
            } catch (IOException ignored) {
                // a temp file left behind is all that is lost
            }
        }
    }
}
