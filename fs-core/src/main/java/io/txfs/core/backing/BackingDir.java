package io.txfs.core.backing;

import io.txfs.sys.Errno;
import io.txfs.sys.LibC;
import io.txfs.sys.PathCalls;
import io.txfs.sys.RawPaths;
import io.txfs.sys.Sys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Resolves paths beneath the backing directory without following a symlink on any component. BACKING
 * may belong to an unprivileged user who can change it at any time, the daemon runs as root: a directory
 * of a path swapped for a symlink to /etc must never make root act there. So the directory that holds an
 * object is opened with openat2(rootFd, dir, O_PATH, RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
 * RESOLVE_NO_MAGICLINKS), and the object is addressed as /proc/self/fd/PARENT/name: the kernel walks that
 * magic link to the very directory the descriptor holds (no name is looked up again), so the only name
 * resolved by path is the final one, and every call on it is one that does not follow a final symlink
 * (lstat, O_NOFOLLOW opens, rename, link, unlink, mkdir, mknod, symlink, l*xattr, lchown, and
 * fchmodat/utimensat with AT_SYMLINK_NOFOLLOW). Linux 5.6+ (openat2).
 */
public final class BackingDir implements AutoCloseable {
    private static final String FD_DIR = "/proc/self/fd/";
    private static final long[] HOW_DIR = {
        Sys.O_PATH | Sys.O_DIRECTORY | Sys.O_CLOEXEC,
        0,
        Sys.RESOLVE_BENEATH | Sys.RESOLVE_NO_SYMLINKS | Sys.RESOLVE_NO_MAGICLINKS
    };

    /**
     * One object of BACKING, addressable while open: path and cPath go through the descriptor of its
     * directory, which close() releases (after that the numbers may name another file: never keep them).
     */
    public static final class Entry implements AutoCloseable {
        public final Path path;
        /** path as NUL-terminated raw bytes, for libc. */
        public final byte[] cPath;

        private final int fd;

        private Entry(Path path, byte[] cPath, int fd) {
            this.path = path;
            this.cPath = cPath;
            this.fd = fd;
        }

        /** The NUL-terminated libc path of child name; only for entries from {@link #dir}. */
        public byte[] cChild(byte[] name) {
            return RawPaths.join(Arrays.copyOf(cPath, cPath.length - 1), name, true);
        }

        @Override
        public void close() {
            if (fd >= 0) LibC.INSTANCE.close(fd);
        }
    }

    private final LibC libc = LibC.INSTANCE;
    private final int rootFd;

    /** root: the backing directory as configured (trusted: the administrator named it). */
    BackingDir(Path root) throws IOException {
        byte[] c = RawPaths.cString(RawPaths.absolute(root));
        rootFd = libc.open(c, Sys.O_PATH | Sys.O_DIRECTORY | Sys.O_CLOEXEC, 0);
        if (rootFd < 0) throw PathCalls.error("open", c);
    }

    /** The object at raw backing path rel (not the root), through its directory opened beneath BACKING. */
    Entry entry(String rel) throws IOException {
        return entry(rel, null);
    }

    private Entry entry(String rel, Cache cache) throws IOException {
        int slash = rel.lastIndexOf('/');
        String name = rel.substring(slash + 1);
        if (rel.isEmpty() || name.isEmpty() || name.equals(".") || name.equals("..")) {
            throw new IOException("not a backing path: " + Backing.display(rel));
        }
        int fd;
        int owned;
        if (slash < 0) {
            fd = rootFd;
            owned = -1;
        } else if (cache != null) {
            fd = cache.fd(rel.substring(0, slash));
            owned = -1; // the cache closes it
        } else {
            fd = openDir(rel.substring(0, slash));
            owned = fd;
        }
        String dir = FD_DIR + fd;
        byte[] dirBytes = dir.getBytes(StandardCharsets.US_ASCII);
        byte[] nameBytes = Backing.bytes(name);
        return new Entry(
                RawPaths.resolve(Path.of(dir), dirBytes, nameBytes), RawPaths.join(dirBytes, nameBytes, true), owned);
    }

    /**
     * Directory descriptors kept open for one thread's run of calls (a flush: thousands of files in a
     * few directories would otherwise open the same directory for every call). A descriptor names the
     * directory it was opened on, wherever that moves: whoever renames or deletes a directory through
     * the cache must {@link #forget} its path. Evicts the least recently used beyond MAX; two entries in
     * use at once (a rename) are the two most recent, so they are never the one evicted.
     */
    public final class Cache implements AutoCloseable {
        private static final int MAX = 64;
        private final LinkedHashMap<String, Integer> fds = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Integer> e) {
                if (size() <= MAX) return false;
                libc.close(e.getValue());
                return true;
            }
        };

        /** Like {@link BackingDir#entry}, its directory from the cache (its close() leaves it open). */
        public Entry entry(String rel) throws IOException {
            return BackingDir.this.entry(rel, this);
        }

        private int fd(String dirRel) throws IOException {
            Integer fd = fds.get(dirRel);
            if (fd == null) {
                fd = openDir(dirRel);
                fds.put(dirRel, fd);
            }
            return fd;
        }

        /** Drops rel and every directory beneath it: it was renamed or deleted. */
        public void forget(String rel) {
            var it = fds.entrySet().iterator();
            while (it.hasNext()) {
                var e = it.next();
                String k = e.getKey();
                if (k.equals(rel) || (k.startsWith(rel) && k.charAt(rel.length()) == '/')) {
                    libc.close(e.getValue());
                    it.remove();
                }
            }
        }

        void forgetAll() {
            for (int fd : fds.values()) libc.close(fd);
            fds.clear();
        }

        @Override
        public void close() {
            forgetAll();
        }
    }

    /** A new cache of directory descriptors; for one thread, closed when done. */
    public Cache cache() {
        return new Cache();
    }

    /** The directory at raw backing path rel ("" the root) itself, opened beneath BACKING (to list or sync it). */
    Entry dir(String rel) throws IOException {
        int fd = rel.isEmpty() ? -1 : openDir(rel);
        // "/.": lstat of the bare /proc/self/fd/N would describe the magic link, not the directory
        String dir = FD_DIR + (fd < 0 ? rootFd : fd) + "/.";
        byte[] dirBytes = dir.getBytes(StandardCharsets.US_ASCII);
        return new Entry(Path.of(dir), RawPaths.cString(dirBytes), fd);
    }

    /**
     * Checks that the directories of raw path rel (rel itself too when it is one) hold no symlink.
     * Throws BackingSymlinkException naming the first symlink; anything else (missing, not a directory)
     * is left to the step that meets it.
     */
    public void checkNoSymlink(String rel) throws BackingSymlinkException {
        if (rel.isEmpty()) return;
        int fd = openDirFd(rel);
        if (fd >= 0) {
            libc.close(fd);
        } else if (LibC.errno() == Errno.ELOOP.code()) {
            throw symlinkIn(rel);
        } else if (LibC.errno() == Errno.ENOTDIR.code() && rel.indexOf('/') > 0) {
            checkNoSymlink(rel.substring(0, rel.lastIndexOf('/'))); // rel itself is a file: its directories count
        }
    }

    /** An O_PATH descriptor of directory rel beneath BACKING; the caller closes it. */
    private int openDir(String rel) throws IOException {
        int fd = openDirFd(rel);
        if (fd >= 0) return fd;
        int errno = LibC.errno();
        String shown = "BACKING/" + Backing.display(rel);
        switch (Objects.requireNonNullElse(Errno.of(errno), Errno.EIO)) { // EIO: an errno not named here
            case ELOOP -> throw symlinkIn(rel);
            case ENOENT -> throw new NoSuchFileException(shown);
            case ENOTDIR -> throw new NotDirectoryException(shown);
            case ENOSYS ->
                throw new IOException("openat2 is not available (Linux 5.6 or later is needed):"
                        + " txfs cannot reach BACKING safely");
            default -> throw new IOException("open " + shown + " beneath BACKING: " + LibC.describe(errno));
        }
    }

    private int openDirFd(String rel) {
        return (int) libc.syscall(Sys.SYS_OPENAT2, rootFd, RawPaths.cString(Backing.bytes(rel)), HOW_DIR, 24);
    }

    /** ELOOP on rel: the first of its prefixes that fails so is the symlink (those before it opened fine). */
    private BackingSymlinkException symlinkIn(String rel) {
        int from = 0;
        while (true) {
            int slash = rel.indexOf('/', from);
            String prefix = slash < 0 ? rel : rel.substring(0, slash);
            int fd = openDirFd(prefix);
            if (fd < 0 && LibC.errno() == Errno.ELOOP.code()) return new BackingSymlinkException(prefix);
            if (fd >= 0) libc.close(fd);
            if (slash < 0) return new BackingSymlinkException(rel);
            from = slash + 1;
        }
    }

    @Override
    public void close() {
        libc.close(rootFd);
    }
}
