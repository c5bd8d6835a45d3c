package io.txfs.core.model;

import io.txfs.sys.Errno;
import io.txfs.sys.ErrnoAnswer;

/** A filesystem error with the errno a local filesystem would give. */
public class FsException extends RuntimeException implements ErrnoAnswer {
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

    @Override
    public Errno errno() {
        return errno;
    }
}
