package io.txfs.client;

import java.io.IOException;

/**
 * The daemon refused a command: the errno name its write failed with ({@code EPERM}, {@code ENOENT},
 * {@code EINVAL}, {@code EIO}, ...) and the daemon's message. An {@link IOException} because that is what it
 * is, a failed write to a file, and a build step handling I/O already handles it.
 */
public class TxfsException extends IOException {
    private static final long serialVersionUID = 1L;
    private final String errno;

    public TxfsException(String errno, String message) {
        super(message + " (" + errno + ")");
        this.errno = errno;
    }

    /** The errno name, e.g. {@code ENOENT} for a view that does not exist. */
    public String errno() {
        return errno;
    }
}
