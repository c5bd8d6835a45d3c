package io.txfs.sys;

import java.nio.ByteBuffer;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.Direct;
import jnr.ffi.annotations.IgnoreError;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * Every libc call txfs makes, bound once through jnr-ffi (the engine's backing directory, the FUSE
 * daemon, the control client). Direct ByteBuffers are passed as address + position (jnr-ffi
 * semantics), so a slice or a positioned buffer names the bytes to use. Paths given as byte[] are
 * NUL-terminated raw names (not always UTF-8). Errors: -1 return and {@link #errno()}.
 */
@SaveError
public interface LibC {
    LibC INSTANCE = LibraryLoader.create(LibC.class).failImmediately().load("c");

    static int errno() {
        return Runtime.getSystemRuntime().getLastError();
    }

    /** The text of errno n, with its number: "No space left on device (errno 28)". */
    static String describe(int n) {
        String s = INSTANCE.strerror(n);
        return (s == null ? "error" : s) + " (errno " + n + ")";
    }

    int open(String path, int flags, int mode);

    int open(String path, int flags);

    int open(@In byte[] path, int flags, int mode);

    int chdir(String path);

    @ssize_t
    long read(int fd, @Out byte[] buf, @size_t long count);

    @ssize_t
    long write(int fd, @In byte[] buf, @size_t long count);

    int openat(int dirfd, String path, int flags, int mode);

    int close(int fd);

    // Overloads taking NUL-terminated byte paths: file names are bytes, not always UTF-8 (see Names).

    int openat(int dirfd, @In byte[] path, int flags, int mode);

    int mkdirat(int dirfd, @In byte[] path, int mode);

    int mknodat(int dirfd, @In byte[] path, int mode, long dev);

    int symlinkat(@In byte[] target, int newdirfd, @In byte[] linkpath);

    int unlinkat(int dirfd, @In byte[] path, int flags);

    int renameat2(int olddirfd, @In byte[] oldpath, int newdirfd, @In byte[] newpath, int flags);

    int linkat(int olddirfd, @In byte[] oldpath, int newdirfd, @In byte[] newpath, int flags);

    int fchownat(int dirfd, @In byte[] path, int owner, int group, int flags);

    int dup(int fd);

    @ssize_t
    long read(int fd, @Direct ByteBuffer buf, @size_t long count);

    @ssize_t
    long write(int fd, @Direct ByteBuffer buf, @size_t long count);

    @ssize_t
    long pread(int fd, @Direct ByteBuffer buf, @size_t long count, long offset);

    @ssize_t
    long pwrite(int fd, @Direct ByteBuffer buf, @size_t long count, long offset);

    int ioctl(int fd, long request, int[] arg);

    int ioctl(int fd, long request, @Direct ByteBuffer arg);

    int mount(String source, String target, String fstype, long flags, String data);

    int umount2(String target, int flags);

    int fstatat(int dirfd, String path, @Direct ByteBuffer statbuf, int flags);

    int fstat(int fd, @Direct ByteBuffer statbuf);

    /** statx(2): with AT_STATX_DONT_SYNC a FUSE inode answers from the kernel's cache, asking no daemon. */
    int statx(int dirfd, String path, int flags, int mask, @Direct ByteBuffer statxbuf);

    int stat(String path, @Direct ByteBuffer statbuf);

    int fstatfs(int fd, @Direct ByteBuffer buf);

    int statfs(String path, @Direct ByteBuffer buf);

    int mkdirat(int dirfd, String path, int mode);

    int mknodat(int dirfd, String path, int mode, long dev);

    int symlinkat(String target, int newdirfd, String linkpath);

    @ssize_t
    long readlinkat(int dirfd, String path, @Direct ByteBuffer buf, @size_t long size);

    int unlinkat(int dirfd, String path, int flags);

    int renameat2(int olddirfd, String oldpath, int newdirfd, String newpath, int flags);

    int linkat(int olddirfd, String oldpath, int newdirfd, String newpath, int flags);

    int fchownat(int dirfd, String path, int owner, int group, int flags);

    int fchmod(int fd, int mode);

    int chmod(String path, int mode);

    int ftruncate(int fd, long length);

    int truncate(String path, long length);

    int utimensat(int dirfd, String path, @Direct ByteBuffer times, int flags);

    int fsync(int fd);

    int fdatasync(int fd);

    int fallocate(int fd, int mode, long offset, long len);

    long lseek(int fd, long offset, int whence);

    int access(String path, int mode);

    @ssize_t
    long getdents64(int fd, @Direct ByteBuffer dirp, @size_t long count);

    int setxattr(String path, String name, @Direct ByteBuffer value, @size_t long size, int flags);

    @ssize_t
    long getxattr(String path, String name, @Direct ByteBuffer value, @size_t long size);

    @ssize_t
    long listxattr(String path, @Direct ByteBuffer list, @size_t long size);

    int removexattr(String path, String name);

    int getrlimit(int resource, @Direct ByteBuffer rlim);

    int setrlimit(int resource, @Direct ByteBuffer rlim);

    /** Raw syscalls for per-thread credentials (glibc's setgroups would change every thread). */
    long syscall(long number, long arg);

    long syscall(long number, long count, @Direct ByteBuffer list);

    int getgroups(int size, @Direct ByteBuffer list);

    int faccessat(int dirfd, String path, int mode, int flags);

    @IgnoreError
    int umask(int mask);

    @IgnoreError
    int getuid();

    /** Replaces this process's image (same pid, same descriptors); returns only on failure (-1). */
    int execve(String path, String[] argv, String[] envp);

    /** 1 when fd is a terminal (the CLI draws progress bars only there). */
    @IgnoreError
    int isatty(int fd);

    @IgnoreError
    int getgid();

    String strerror(int errnum);

    // Byte-exact calls on raw paths that java.nio cannot make: raw symlink targets (nio normalizes
    // "a//b/"), every xattr namespace without following links, mknod, truncate.

    @ssize_t
    long readlink(@In byte[] path, @Out byte[] buf, @size_t long size);

    int symlink(@In byte[] target, @In byte[] linkpath);

    @ssize_t
    long llistxattr(@In byte[] path, @Out byte[] list, @size_t long size);

    @ssize_t
    long lgetxattr(@In byte[] path, @In byte[] name, @Out byte[] value, @size_t long size);

    int lsetxattr(@In byte[] path, @In byte[] name, @In byte[] value, @size_t long size, int flags);

    int lremovexattr(@In byte[] path, @In byte[] name);

    int mknod(@In byte[] path, int mode, long dev);

    int truncate(@In byte[] path, long length);

    int chmod(@In byte[] path, int mode);

    int lchown(@In byte[] path, int uid, int gid);

    /** flags AT_SYMLINK_NOFOLLOW: changes the mode without opening the file (open() blocks on a FIFO). */
    int fchmodat(int dirfd, @In byte[] path, int mode, int flags);

    /** times: {atime sec, atime nsec, mtime sec, mtime nsec}. */
    int utimensat(int dirfd, @In byte[] path, @In long[] times, int flags);

    @IgnoreError
    int geteuid();

    /** Starts writeback of a file's dirty pages (flags: SYNC_FILE_RANGE_WRITE) without waiting for it. */
    int sync_file_range(int fd, long offset, long nbytes, int flags);

    /**
     * The raw system call; used for openat2 (glibc has no wrapper): nr SYS_OPENAT2, how: struct
     * open_how {u64 flags; u64 mode; u64 resolve}.
     */
    long syscall(long nr, int dirfd, @In byte[] path, @In long[] how, long size);

    /** The raw system call with four integer arguments (pidfd_open, pidfd_send_signal). */
    long syscall(long number, long a1, long a2, long a3, long a4);
}
