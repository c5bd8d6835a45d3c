package io.txfs.fuse.passthrough;

import static io.txfs.sys.Sys.O_CLOEXEC;
import static io.txfs.sys.Sys.O_RDONLY;

import io.txfs.fuse.BackingFiles;
import io.txfs.fuse.FuseErrnoException;
import io.txfs.fuse.OpenResult;
import io.txfs.sys.LibC;
import io.txfs.sys.Sys;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * FUSE passthrough of a passthrough mount's regular files: each open is answered with a backing file the
 * kernel reads and writes directly (FOPEN_PASSTHROUGH), until the kernel refuses one; then every later
 * open is served through the daemon.
 */
final class KernelPassthrough {
    private static final LibC C = LibC.INSTANCE;
    private static final Logger LOG = LoggerFactory.getLogger(PassthroughFilesystem.class);

    /**
     * One backing file per inode, shared by all its passthrough opens: the kernel refuses (EIO) a
     * second open of an inode with a different backing file. It is the daemon's own read-write
     * descriptor (read-only where the inode cannot be opened for writing); the caller's access mode is
     * still enforced by the kernel on the FUSE file.
     */
    private static final class Backing {
        final int id;
        final int fd;
        int refs;

        Backing(int id, int fd) {
            this.id = id;
            this.fd = fd;
        }
    }

    private final BackingFiles files;
    private final Inodes inodes;
    /** Guarded by itself. */
    private final Map<Long, Backing> backings = new HashMap<>();
    /** The node of each file handle opened with a backing file. */
    private final Map<Long, Long> openNodes = new ConcurrentHashMap<>();

    private volatile boolean failed;

    KernelPassthrough(BackingFiles files, Inodes inodes) {
        this.files = files;
        this.inodes = inodes;
    }

    /** The reply for file handle fd of node with a backing file, or null when passthrough is off. */
    OpenResult opened(long node, int fd) {
        if (failed) return null;
        try {
            int id = acquire(node);
            openNodes.put((long) fd, node);
            return new OpenResult(fd, OpenResult.FOPEN_PASSTHROUGH, id);
        } catch (IOException | RuntimeException e) {
            failed = true;
            LOG.warn("FUSE passthrough unavailable ({}); serving reads and writes through the daemon", e.getMessage());
            return null;
        }
    }

    private int acquire(long node) throws IOException {
        synchronized (backings) {
            Backing bk = backings.get(node);
            if (bk == null) {
                String path = LibcResults.proc(inodes.get(node).fd);
                int bfd = C.open(path, Sys.O_RDWR | O_CLOEXEC, 0);
                if (bfd < 0) {
                    bfd = C.open(path, O_RDONLY | O_CLOEXEC, 0);
                }
                if (bfd < 0) {
                    throw new FuseErrnoException(LibC.errno());
                }
                int id;
                try {
                    id = files.open(bfd);
                } catch (IOException | RuntimeException e) {
                    C.close(bfd);
                    throw e;
                }
                bk = new Backing(id, bfd);
                backings.put(node, bk);
            }
            bk.refs++;
            return bk.id;
        }
    }

    /** File handle fh was released: its backing file goes with the inode's last passthrough open. */
    void release(long fh) {
        Long node = openNodes.remove(fh);
        if (node == null) {
            return;
        }
        synchronized (backings) {
            Backing bk = backings.get(node);
            if (bk != null && --bk.refs == 0) {
                backings.remove(node);
                files.close(bk.id);
                C.close(bk.fd);
            }
        }
    }
}
