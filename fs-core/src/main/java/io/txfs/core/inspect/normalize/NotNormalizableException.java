package io.txfs.core.inspect.normalize;

import java.io.IOException;

/** A file that a rule names but its normalizer cannot read: it is hashed as it is, and reported. */
public final class NotNormalizableException extends IOException {
    public NotNormalizableException(String message) {
        super(message);
    }
}
