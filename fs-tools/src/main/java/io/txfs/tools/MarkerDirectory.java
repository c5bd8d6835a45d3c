package io.txfs.tools;

import io.txfs.sys.Errno;
import io.txfs.sys.LibC;
import io.txfs.sys.StatBuf;
import io.txfs.sys.Sys;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Optional;

/**
 * {@code BACKING/.txfs}, opened so that whoever owns BACKING cannot redirect what the (root) daemon
 * writes there: a symlink at that name is refused, never followed, and the directory must belong to
 * this process's uid and be writable by nobody else, so no name inside it can be swapped for a link
 * either. Files inside are reached through the descriptor ({@link #path}), not through BACKING again, so
 * renaming BACKING's entries meanwhile changes nothing.
 */
final class MarkerDirectory implements AutoCloseable {
    private static final String NAME = BackingClaim.MARKER_DIR;
    private final int fd;
    private final Path path;

    private MarkerDirectory(int fd) {
        this.fd = fd;
        this.path = Path.of("/proc/self/fd/" + fd);
    }

    /** The directory, created (0755) when {@code create} and absent; empty when absent and not created. */
    static Optional<MarkerDirectory> open(Path backing, boolean create) {
        LibC c = LibC.INSTANCE;
        int parent = c.open(backing.toString(), Sys.O_PATH | Sys.O_DIRECTORY | Sys.O_CLOEXEC, 0);
        if (parent < 0) {
            throw new UserFacingException(
                    "cannot open backing directory " + backing + ": " + Errno.nameOf(LibC.errno()));
        }
        try {
            if (create && c.mkdirat(parent, NAME, 0755) != 0 && LibC.errno() != Errno.EEXIST.code()) {
                throw new UserFacingException(
                        "cannot create " + backing.resolve(NAME) + ": " + Errno.nameOf(LibC.errno()));
            }
            int fd = c.openat(parent, NAME, Sys.O_RDONLY | Sys.O_DIRECTORY | Sys.O_NOFOLLOW | Sys.O_CLOEXEC, 0);
            if (fd < 0) {
                int errno = LibC.errno();
                if (errno == Errno.ENOENT.code() && !create) {
                    return Optional.empty();
                }
                throw new UserFacingException(backing.resolve(NAME) + " is not a directory txfs can use ("
                        + Errno.nameOf(errno) + "; a symlink there is never followed): remove it");
            }
            MarkerDirectory d = new MarkerDirectory(fd);
            try {
                d.requireOwnDirectory(backing);
            } catch (RuntimeException e) {
                d.close();
                throw e;
            }
            return Optional.of(d);
        } finally {
            c.close(parent);
        }
    }

    private void requireOwnDirectory(Path backing) {
        ByteBuffer st = StatBuf.allocate();
        if (LibC.INSTANCE.fstat(fd, st) != 0) {
            throw new UserFacingException("cannot stat " + backing.resolve(NAME) + ": " + Errno.nameOf(LibC.errno()));
        }
        int uid = LibC.INSTANCE.getuid();
        if (StatBuf.uid(st) != uid || (StatBuf.mode(st) & 022) != 0) {
            throw new UserFacingException(backing.resolve(NAME) + " belongs to uid " + StatBuf.uid(st) + " with mode "
                    + Integer.toOctalString(StatBuf.mode(st) & 07777)
                    + "; txfs keeps its marker only in a directory of uid "
                    + uid + " that nobody else may write: remove it, and txfs makes its own");
        }
    }

    /** A file inside, reached through the open directory. */
    Path path(String name) {
        return path.resolve(name);
    }

    @Override
    public void close() {
        LibC.INSTANCE.close(fd);
    }
}
