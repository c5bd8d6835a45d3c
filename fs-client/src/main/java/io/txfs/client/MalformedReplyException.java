package io.txfs.client;

import java.io.IOException;

/**
 * The daemon answered something this client cannot read: not JSON, or a field missing or of another type.
 * Means a daemon and a client of different versions, or no txfs daemon behind the file at all.
 */
public final class MalformedReplyException extends IOException {
    private static final long serialVersionUID = 1L;

    public MalformedReplyException(String message) {
        super(message);
    }
}
