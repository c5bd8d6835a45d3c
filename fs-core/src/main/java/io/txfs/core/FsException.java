package io.txfs.core;

import io.txfs.sys.Errno;
/** A filesystem error with the errno a local filesystem would give. */
public class FsException extends RuntimeException {
    private final Errno errno;

    public FsException(Errno errno, String message) {
        // an answer, not a fault: ENOENT of a negative lookup is the common case (every create, every
        // probe a compiler makes), and filling in ~30 frames cost several times the lookup itself
        super(errno + ": " + message, null, false, false);
        this.errno = errno;
    }

    public FsException(Errno errno, String message, Throwable cause) {
        super(errno + ": " + message, cause);
        this.errno = errno;
    }

    public Errno errno() {
        return errno;
    }
}
