package io.txfs.sys;

/** Linux x86_64 / generic constants used with {@link LibC}, each defined once. Values from the kernel's uapi headers. */
public final class Sys {
    private Sys() {}

    public static final int O_RDONLY = 0;
    public static final int O_WRONLY = 1;
    public static final int O_RDWR = 2;
    public static final int O_ACCMODE = 3;
    public static final int O_CREAT = 0100;
    public static final int O_EXCL = 0200;
    public static final int O_NOCTTY = 0400;
    public static final int O_TRUNC = 01000;
    public static final int O_APPEND = 02000;
    public static final int O_NONBLOCK = 04000;
    public static final int O_DIRECTORY = 0200000;
    public static final int O_NOFOLLOW = 0400000;
    public static final int O_CLOEXEC = 02000000;
    public static final int O_PATH = 010000000;

    public static final int AT_FDCWD = -100;
    public static final int AT_SYMLINK_NOFOLLOW = 0x100;
    public static final int AT_REMOVEDIR = 0x200;
    public static final int AT_EMPTY_PATH = 0x1000;
    public static final int AT_SYMLINK_FOLLOW = 0x400;
    public static final int AT_STATX_DONT_SYNC = 0x4000;

    public static final long MS_NOSUID = 2;
    public static final long MS_NODEV = 4;
    public static final int MNT_DETACH = 2;

    public static final int S_IFMT = 0170000;
    public static final int S_IFDIR = 0040000;
    public static final int S_IFREG = 0100000;
    public static final int S_IFLNK = 0120000;
    public static final int S_ISGID = 02000;

    public static final int SYNC_FILE_RANGE_WRITE = 2;

    /** openat2 (Linux 5.6+): the same number on every architecture. */
    public static final long SYS_OPENAT2 = 437;

    public static final long RESOLVE_NO_MAGICLINKS = 0x02;
    public static final long RESOLVE_NO_SYMLINKS = 0x04;
    public static final long RESOLVE_BENEATH = 0x08;

    public static final long SYS_PIDFD_SEND_SIGNAL = 424;
    public static final long SYS_PIDFD_OPEN = 434;
    /** PIDFD_THREAD (Linux 6.9): a pidfd for a thread, not only for a thread-group leader. */
    public static final long PIDFD_THREAD = 0x80;

    public static final long UTIME_NOW = (1L << 30) - 1;
    public static final long UTIME_OMIT = (1L << 30) - 2;

    /** _IOR(229, 0, uint32_t). */
    public static final long FUSE_DEV_IOC_CLONE = 0x8004e500L;
    /** _IOW(229, 1, struct fuse_backing_map) (16 bytes). */
    public static final long FUSE_DEV_IOC_BACKING_OPEN = 0x4010e501L;
    /** _IOW(229, 2, uint32_t). */
    public static final long FUSE_DEV_IOC_BACKING_CLOSE = 0x4004e502L;

    /** glibc's dev_t from the kernel's new_encode_dev() 32-bit form that FUSE carries. */
    public static long devFromFuse(int rdev) {
        long major = (rdev & 0xfff00L) >>> 8;
        long minor = (rdev & 0xffL) | ((rdev >>> 12) & 0xfff00L);
        return makedev(major, minor);
    }

    /** The kernel's new_encode_dev() 32-bit form of a glibc dev_t, as FUSE carries it. */
    public static int devToFuse(long dev) {
        long major = ((dev >>> 8) & 0xfffL) | ((dev >>> 32) & ~0xfffL);
        long minor = (dev & 0xffL) | ((dev >>> 12) & ~0xffL);
        return (int) ((minor & 0xff) | (major << 8) | ((minor & ~0xffL) << 12));
    }

    public static long makedev(long major, long minor) {
        return ((major & 0xfffff000L) << 32)
                | ((major & 0xfffL) << 8)
                | ((minor & 0xffffff00L) << 12)
                | (minor & 0xffL);
    }

    public static long major(long dev) {
        return ((dev >>> 8) & 0xfffL) | ((dev >>> 32) & 0xfffff000L);
    }

    public static long minor(long dev) {
        return (dev & 0xffL) | ((dev >>> 12) & 0xffffff00L);
    }
}
