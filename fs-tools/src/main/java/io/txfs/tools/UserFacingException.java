package io.txfs.tools;

/** A failure whose message is complete for the user: printed as one line, exit status 1. */
final class UserFacingException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UserFacingException(String message) {
        super(message);
    }

    UserFacingException(String message, Throwable cause) {
        super(message, cause);
    }
}
