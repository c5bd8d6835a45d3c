package io.txfs.core.backing;

import java.io.IOException;

/**
 * A symlink where txfs expects a directory of BACKING (planted by whoever owns BACKING, possibly while a
 * flush runs). The daemon runs as root: following it would let that user make root write, chmod or read
 * files anywhere, so every path into BACKING is resolved without following one (see BackingDir).
 */
public final class BackingSymlinkException extends IOException {
    private static final long serialVersionUID = 1L;

    /** The raw backing path of the symlink (Backing.raw). */
    public final String rel;

    public BackingSymlinkException(String rel) {
        super("BACKING/" + Backing.display(rel) + " is a symlink, txfs never follows one in BACKING");
        this.rel = rel;
    }
}
