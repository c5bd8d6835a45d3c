package io.txfs.core.model;

import io.txfs.sys.Errno;

/**
 * The backing file of a node no longer matches what txfs recorded for it at the flushed version: it was
 * changed behind the daemon's back. Thrown where the base content is read; the engine takes the change
 * in (OutsideChanges) and runs the operation again, so it reaches a caller only if the change could not
 * be taken in (then as ESTALE, never as EIO).
 */
public final class BackingChangedException extends FsException {
    public final long node;

    public BackingChangedException(long node, String path, String why) {
        super(Errno.ESTALE, "backing file " + path + " changed outside txfs: " + why);
        this.node = node;
    }
}
