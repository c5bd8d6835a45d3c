package io.txfs.tools;

import io.txfs.core.inspect.dir.LibC;
import io.txfs.core.inspect.dir.RawPaths;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;

/**
 * BACKING/.txfs, the claim marker directory, as the daemon (root) may use it although BACKING belongs to
 * someone else who can change it at any time: opened without following a symlink at that name, and
 * trusted only when the daemon's uid owns it and nobody else may write it, so nothing can be planted in
 * it (a symlink at owner.tmp would make root truncate its target). Its files are reached through that
 * open directory (/proc/self/fd/N/name), so a .txfs swapped after the check is never used.
 */
final class MarkerDir implements AutoCloseable {
    private final int fd;

    private MarkerDir(int fd) {
        this.fd = fd;
    }

    /** The marker directory of backing, created (mode 0755) if create; null when absent and not create. */
    static MarkerDir open(Path backing, boolean create) {
        Path dir = backing.resolve(BackingClaim.MARKER_DIR);
        if (create) {
            try {
                Files.createDirectory(dir); // mkdir(2): EEXIST on a symlink, never follows it
            } catch (FileAlreadyExistsException exists) {
                // checked below
            } catch (IOException e) {
                throw new UserFacingException("cannot create " + dir + ": " + e.getMessage(), e);
            }
        }
        byte[] c = RawPaths.cString(RawPaths.absolute(dir));
        int fd = LibC.get().open(c, LibC.O_PATH | LibC.O_DIRECTORY | LibC.O_NOFOLLOW | LibC.O_CLOEXEC, 0);
        if (fd < 0) {
            int errno = LibC.errno();
            if (errno == LibC.ENOENT && !create) return null;
            if (errno == LibC.ENOTDIR || errno == LibC.ELOOP) {
                throw new UserFacingException(dir + " is a symlink or not a directory; txfs never follows one in"
                        + " BACKING: remove it");
            }
            throw new UserFacingException("cannot open " + dir + ": " + LibC.describe(errno));
        }
        MarkerDir d = new MarkerDir(fd);
        try {
            Map<String, Object> a = Files.readAttributes(d.file("."), "unix:uid,mode", LinkOption.NOFOLLOW_LINKS);
            int uid = (Integer) a.get("uid");
            int mode = (Integer) a.get("mode");
            if (uid != LibC.get().geteuid() || (mode & 022) != 0) {
                throw new UserFacingException(dir + " belongs to uid " + uid + " with mode " + Integer.toOctalString(mode & 07777)
                        + ": txfs uses it only when it is its own and nobody else may write it; remove it");
            }
            return d;
        } catch (IOException e) {
            d.close();
            throw new UserFacingException("cannot stat " + dir + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            d.close();
            throw e;
        }
    }

    /** A file in the marker directory, valid while this is open. */
    Path file(String name) {
        return Path.of("/proc/self/fd/" + fd + "/" + name);
    }

    @Override
    public void close() {
        LibC.get().close(fd);
    }
}
