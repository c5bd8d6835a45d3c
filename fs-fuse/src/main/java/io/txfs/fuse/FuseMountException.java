package io.txfs.fuse;

import java.io.IOException;

/** Mounting or unmounting failed in a way the user must fix (privileges, a busy or missing mountpoint). */
public final class FuseMountException extends IOException {
    private static final long serialVersionUID = 1L;

    public FuseMountException(String message) {
        super(message);
    }

    public FuseMountException(String message, Throwable cause) {
        super(message, cause);
    }
}
