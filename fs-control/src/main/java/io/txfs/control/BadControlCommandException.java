package io.txfs.control;

/** A control line that is not a command: the write fails with EINVAL and the reply says why. */
public final class BadControlCommandException extends Exception {
    private static final long serialVersionUID = 1L;

    public BadControlCommandException(String message) {
        super(message);
    }
}
