package io.txfs.core.inspect.oci;

import java.io.IOException;
import java.util.Locale;

/** A layer tar that import refuses; nothing was changed. {@link #reason()} says which rule it broke. */
public final class LayerRejectedException extends IOException {
    private static final long serialVersionUID = 1L;

    /** What was wrong with the layer. */
    public enum Reason {
        TRUNCATED,
        BAD_HEADER,
        HEADER_TOO_LARGE,
        ABSOLUTE_PATH,
        PARENT_TRAVERSAL,
        BAD_NAME,
        DUPLICATE_PATH,
        UNSUPPORTED_TYPE,
        LINK_ESCAPE,
        THROUGH_SYMLINK,
        MISSING_PARENT,
        BAD_WHITEOUT
    }

    private final Reason reason;

    public LayerRejectedException(Reason reason, String message) {
        super("layer rejected (" + reason.name().toLowerCase(Locale.ROOT) + "): " + message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
