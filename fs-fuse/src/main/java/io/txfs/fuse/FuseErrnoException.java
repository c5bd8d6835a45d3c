package io.txfs.fuse;

import io.txfs.sys.Errno;
import java.io.IOException;

/**
 * The one exception that carries an errno to the kernel. Filesystems throw it; the dispatcher
 * answers the request with its errno. Any other exception becomes EIO.
 */
public final class FuseErrnoException extends IOException {
    private static final long serialVersionUID = 1L;
    private final int errno;

    public FuseErrnoException(int errno) {
        this(errno, null);
    }

    public FuseErrnoException(Errno errno) {
        this(errno.code(), null);
    }

    public FuseErrnoException(Errno errno, String message) {
        this(errno.code(), message);
    }

    public FuseErrnoException(int errno, String message) {
        super(message == null ? Errno.nameOf(errno) : Errno.nameOf(errno) + ": " + message);
        if (errno <= 0) {
            throw new IllegalArgumentException("errno must be positive: " + errno);
        }
        this.errno = errno;
    }

    /** Errno exceptions are control flow (ENOENT on every failed lookup): no stack trace to fill. */
    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }

    public int errno() {
        return errno;
    }
}
