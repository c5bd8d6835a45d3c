package io.txfs.fuse.caller;

import io.txfs.sys.LibC;
import io.txfs.sys.Sys;

/**
 * Process file descriptors: a pidfd refers to one task, never to a later one that reuses its id, so a
 * cached answer can be checked with one cheap syscall instead of a read of /proc.
 */
final class Pidfds {
    private static volatile boolean threadPidfds = true;

    private Pidfds() {}

    /** A pidfd for the task {@code tid}, or -1 if it cannot be had (gone, or too old a kernel). */
    static int open(int tid) {
        if (threadPidfds) {
            long fd = LibC.INSTANCE.syscall(Sys.SYS_PIDFD_OPEN, tid, Sys.PIDFD_THREAD, 0, 0);
            if (fd >= 0) {
                return (int) fd;
            }
        }
        return -1;
    }

    /** Whether the task behind {@code pidfd} still runs (signal 0 checks without sending). */
    static boolean alive(int pidfd) {
        return LibC.INSTANCE.syscall(Sys.SYS_PIDFD_SEND_SIGNAL, pidfd, 0, 0, 0) == 0;
    }

    static void close(int fd) {
        if (fd >= 0) {
            LibC.INSTANCE.close(fd);
        }
    }
}
