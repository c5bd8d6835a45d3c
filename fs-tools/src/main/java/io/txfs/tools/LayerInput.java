package io.txfs.tools;

import io.txfs.fuse.sys.LibC;
import io.txfs.fuse.sys.Sys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The descriptor {@code txfs import} hands the daemon for the layer: stdin itself, or, when stdin is a
 * file inside the mount, a copy of it spooled outside. The daemon must never read through its own
 * mount (docs/fuse-protocol.md, "The daemon never calls into its own mount"): a SIGKILL while it waits
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

    static LayerInput ofStdin(Path mount) {
        try {
            if (!onMount(mount)) {
                return new LayerInput(0, null);
            }
            Path spool = Files.createTempFile("txfs-import-", ".tar");
            try {
                if (Files.getAttribute(spool, "unix:dev").equals(Files.getAttribute(mount, "unix:dev"))) {
                    throw new UserFacingException("the temporary directory " + spool.getParent()
                            + " is inside the mount; set TMPDIR elsewhere or pipe the layer: cat FILE | txfs import VIEW");
                }
                Files.copy(STDIN, spool, StandardCopyOption.REPLACE_EXISTING);
                int fd = LibC.INSTANCE.open(spool.toString(), Sys.O_RDONLY | Sys.O_CLOEXEC, 0);
                if (fd < 0) {
                    throw new IOException("open " + spool + ": errno " + LibC.errno());
                }
                return new LayerInput(fd, spool);
            } catch (IOException | RuntimeException e) {
                Files.deleteIfExists(spool);
                throw e;
            }
        } catch (IOException e) {
            throw new UserFacingException("reading the layer from stdin: " + e.getMessage(), e);
        }
    }

    /** True if stdin is a file or directory of the mount (pipes and terminals are not). */
    private static boolean onMount(Path mount) throws IOException {
        if (!Files.isRegularFile(STDIN) && !Files.isDirectory(STDIN)) {
            return false;
        }
        Object dev = Files.getAttribute(STDIN, "unix:dev", new LinkOption[0]);
        return dev.equals(Files.getAttribute(mount, "unix:dev"));
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
