package io.txfs.core.inspect.dir;

import java.io.IOException;
import jnr.ffi.LastError;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.SaveError;

/**
 * The few libc calls java.nio cannot make byte-exactly: raw symlink targets (nio normalizes "a//b/"),
 * every xattr namespace without following links, mknod and truncate (java.io.File would decode the
 * path as a string). Paths are NUL-terminated raw bytes. The engine's backing directory uses it too.
 */
public final class LibC {
    /** The binding; jnr-ffi implements it. */
    public interface Native {
        @SaveError
        long readlink(@In byte[] path, @Out byte[] buf, long size);

        @SaveError
        int symlink(@In byte[] target, @In byte[] linkpath);

        @SaveError
        long llistxattr(@In byte[] path, @Out byte[] list, long size);

        @SaveError
        long lgetxattr(@In byte[] path, @In byte[] name, @Out byte[] value, long size);

        @SaveError
        int lsetxattr(@In byte[] path, @In byte[] name, @In byte[] value, long size, int flags);

        @SaveError
        int lremovexattr(@In byte[] path, @In byte[] name);

        @SaveError
        int mknod(@In byte[] path, int mode, long dev);

        @SaveError
        int truncate(@In byte[] path, long length);

        @SaveError
        int chmod(@In byte[] path, int mode);

        @SaveError
        int lchown(@In byte[] path, int uid, int gid);

        /** flags AT_SYMLINK_NOFOLLOW: changes the mode without opening the file (open() blocks on a FIFO). */
        @SaveError
        int fchmodat(int dirfd, @In byte[] path, int mode, int flags);

        String strerror(int errnum);

        int geteuid();

        @SaveError
        int open(@In byte[] path, int flags, int mode);

        int close(int fd);

        /** Starts writeback of a file's dirty pages (flags: SYNC_FILE_RANGE_WRITE) without waiting for it. */
        @SaveError
        int sync_file_range(int fd, long offset, long nbytes, int flags);

        /**
         * The raw system call; used for openat2 (glibc has no wrapper): nr SYS_OPENAT2, how: struct
         * open_how {u64 flags; u64 mode; u64 resolve}.
         */
        @SaveError
        long syscall(long nr, int dirfd, @In byte[] path, @In long[] how, long size);

        @SaveError
        int ftruncate(int fd, long length);

        @SaveError
        int fsync(int fd);

        /** times: {atime sec, atime nsec, mtime sec, mtime nsec}. */
        @SaveError
        int utimensat(int dirfd, @In byte[] path, @In long[] times, int flags);
    }

    public static final int O_RDONLY_CLOEXEC = 0x80000;
    public static final int SYNC_FILE_RANGE_WRITE = 2;
    public static final int ENODATA = 61;
    static final int ERANGE = 34;
    static final int ENOTSUP = 95;
    public static final int AT_FDCWD = -100;
    public static final int AT_SYMLINK_NOFOLLOW = 0x100;
    static final long UTIME_OMIT = (1L << 30) - 2L;
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int ENOTDIR = 20;
    public static final int ELOOP = 40;
    public static final int ENOSYS = 38;
    public static final int O_WRONLY = 1;
    public static final int O_NONBLOCK = 0x800;
    public static final int O_DIRECTORY = 0x10000;
    public static final int O_NOFOLLOW = 0x20000;
    public static final int O_CLOEXEC = 0x80000;
    public static final int O_PATH = 0x200000;
    /** openat2 (Linux 5.6+): the same number on every architecture. */
    public static final long SYS_OPENAT2 = 437;
    public static final long RESOLVE_NO_MAGICLINKS = 0x02;
    public static final long RESOLVE_NO_SYMLINKS = 0x04;
    public static final long RESOLVE_BENEATH = 0x08;

    private static final Native NATIVE = LibraryLoader.create(Native.class).load("c");
    private static final Runtime RUNTIME = Runtime.getRuntime(NATIVE);

    private LibC() {
    }

    public static Native get() {
        return NATIVE;
    }

    public static int errno() {
        return LastError.getLastError(RUNTIME);
    }

    /** The exact target bytes of the symlink at cPath (NUL-terminated). */
    public static byte[] readLink(byte[] cPath) throws IOException {
        byte[] buf = new byte[256];
        while (true) {
            long n = NATIVE.readlink(cPath, buf, buf.length);
            if (n < 0) {
                throw error("readlink", cPath);
            }
            if (n < buf.length) {
                return java.util.Arrays.copyOf(buf, (int) n);
            }
            buf = new byte[buf.length * 4];
        }
    }

    /** The text of errno n, with its number: "No space left on device (errno 28)". */
    public static String describe(int n) {
        String s = NATIVE.strerror(n);
        return (s == null ? "error" : s) + " (errno " + n + ")";
    }

    public static IOException error(String call, byte[] cPath) {
        int errno = errno();
        String path = new String(cPath, 0, Math.max(0, cPath.length - 1), java.nio.charset.StandardCharsets.UTF_8);
        if (errno == 2) {
            return new java.nio.file.NoSuchFileException(path);
        }
        return new IOException(call + "(" + path + ") failed: errno " + errno);
    }
}
