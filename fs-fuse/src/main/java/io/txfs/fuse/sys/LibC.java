package io.txfs.fuse.sys;

import java.nio.ByteBuffer;
import jnr.ffi.LibraryLoader;
import jnr.ffi.annotations.Direct;
import jnr.ffi.annotations.IgnoreError;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * The libc calls fs-fuse needs, bound once through jnr-ffi. Direct ByteBuffers are passed as
 * address + position (jnr-ffi semantics), so a slice or a positioned buffer names the bytes to use.
 * Errors: -1 return and {@link #errno()}.
 */
@SaveError
public interface LibC {
  LibC INSTANCE = LibraryLoader.create(LibC.class).failImmediately().load("c");

  static int errno() {
    return jnr.ffi.Runtime.getSystemRuntime().getLastError();
  }

  int open(String path, int flags, int mode);

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

  @ssize_t long read(int fd, @Direct ByteBuffer buf, @size_t long count);

  @ssize_t long write(int fd, @Direct ByteBuffer buf, @size_t long count);

  @ssize_t long pread(int fd, @Direct ByteBuffer buf, @size_t long count, long offset);

  @ssize_t long pwrite(int fd, @Direct ByteBuffer buf, @size_t long count, long offset);

  int ioctl(int fd, long request, int[] arg);

  int ioctl(int fd, long request, @Direct ByteBuffer arg);

  int mount(String source, String target, String fstype, long flags, String data);

  int umount2(String target, int flags);

  int fstatat(int dirfd, String path, @Direct ByteBuffer statbuf, int flags);

  int fstat(int fd, @Direct ByteBuffer statbuf);

  int stat(String path, @Direct ByteBuffer statbuf);

  int fstatfs(int fd, @Direct ByteBuffer buf);

  int statfs(String path, @Direct ByteBuffer buf);

  int mkdirat(int dirfd, String path, int mode);

  int mknodat(int dirfd, String path, int mode, long dev);

  int symlinkat(String target, int newdirfd, String linkpath);

  @ssize_t long readlinkat(int dirfd, String path, @Direct ByteBuffer buf, @size_t long size);

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

  @ssize_t long getdents64(int fd, @Direct ByteBuffer dirp, @size_t long count);

  int setxattr(String path, String name, @Direct ByteBuffer value, @size_t long size, int flags);

  @ssize_t long getxattr(String path, String name, @Direct ByteBuffer value, @size_t long size);

  @ssize_t long listxattr(String path, @Direct ByteBuffer list, @size_t long size);

  int removexattr(String path, String name);

  int getrlimit(int resource, @Direct ByteBuffer rlim);

  int setrlimit(int resource, @Direct ByteBuffer rlim);

  /** Raw syscalls for per-thread credentials (glibc's setgroups would change every thread). */
  long syscall(long number, long arg);

  long syscall(long number, long count, @Direct ByteBuffer list);

  int getgroups(int size, @Direct ByteBuffer list);

  int faccessat(int dirfd, String path, int mode, int flags);

  @IgnoreError int umask(int mask);

  @IgnoreError int getuid();

  /** Replaces this process's image (same pid, same descriptors); returns only on failure (-1). */
  int execve(String path, String[] argv, String[] envp);

  /** 1 when fd is a terminal (the CLI draws progress bars only there). */
  @IgnoreError int isatty(int fd);

  @IgnoreError int getgid();

  String strerror(int errnum);
}
