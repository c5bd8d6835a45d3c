package io.txfs.fuse.caller;

import jnr.ffi.LibraryLoader;

/**
 * Process file descriptors: a pidfd refers to one task, never to a later one that reuses its id, so a
 * cached answer can be checked with one cheap syscall instead of a read of /proc.
 */
final class Pidfds {
    private static final long SYS_PIDFD_SEND_SIGNAL = 424;
    private static final long SYS_PIDFD_OPEN = 434;
    /** PIDFD_THREAD (Linux 6.9): a pidfd for a thread, not only for a thread-group leader. */
    private static final long PIDFD_THREAD = 0x80;

    public interface LibC {
        long syscall(long number, long a1, long a2, long a3, long a4);

        int close(int fd);
    }

    private static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");
    private static volatile boolean threadPidfds = true;

    private Pidfds() {
    }

    /** A pidfd for the task {@code tid}, or -1 if it cannot be had (gone, or too old a kernel). */
    static int open(int tid) {
        if (threadPidfds) {
            long fd = LIBC.syscall(SYS_PIDFD_OPEN, tid, PIDFD_THREAD, 0, 0);
            if (fd >= 0) {
                return (int) fd;
            }
        }
        return -1;
    }

    /** Whether the task behind {@code pidfd} still runs (signal 0 checks without sending). */
    static boolean alive(int pidfd) {
        return LIBC.syscall(SYS_PIDFD_SEND_SIGNAL, pidfd, 0, 0, 0) == 0;
    }

    static void close(int fd) {
        if (fd >= 0) {
            LIBC.close(fd);
        }
    }
}
