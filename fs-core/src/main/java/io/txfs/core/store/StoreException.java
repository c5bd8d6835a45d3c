package io.txfs.core.store;

/** A store failure; {@link #noSpace()} tells a full disk apart from other I/O failures. */
public final class StoreException extends RuntimeException {
    private final boolean noSpace;

    public StoreException(String message, Throwable cause, boolean noSpace) {
        super(message, cause);
        this.noSpace = noSpace;
    }

    public boolean noSpace() {
        return noSpace;
    }
}
