package io.txfs.fuse.passthrough;

import io.txfs.fuse.FuseErrnoException;
import io.txfs.sys.LibC;

/** libc's return values as the passthrough answers them: a negative result is the call's errno, thrown. */
final class LibcResults {
    private LibcResults() {}

    static FuseErrnoException errno() {
        return new FuseErrnoException(LibC.errno());
    }

    static void check(int rc) throws FuseErrnoException {
        if (rc < 0) {
            throw errno();
        }
    }

    /** A byte count from libc, or its errno thrown. */
    static int count(long n) throws FuseErrnoException {
        if (n < 0) {
            throw errno();
        }
        return (int) n;
    }

    /** The path through which the daemon reaches what descriptor fd is open on. */
    static String proc(int fd) {
        return "/proc/self/fd/" + fd;
    }
}
