package io.txfs.core.inspect;

import java.io.IOException;

/** An entry that the requested output format cannot express (a fifo in a git id, a socket in a tar...). */
public final class UnrepresentableEntryException extends IOException {
    private static final long serialVersionUID = 1L;
    private final TreePath path;

    public UnrepresentableEntryException(TreePath path, String why) {
        super("cannot represent '" + path + "': " + why);
        this.path = path;
    }

    public TreePath path() {
        return path;
    }
}
