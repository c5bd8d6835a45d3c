package io.txfs.core.model;

import io.txfs.sys.Errno;

/**
 * The backing directory was deleted or moved away while mounted. Every filesystem operation fails with
 * this (ESTALE: what the daemon serves no longer exists), the status says so, and nothing is written;
 * pending and published state stay in the store.
 */
public final class BackingGoneException extends FsException {
    public BackingGoneException(String why) {
        super(Errno.ESTALE, "the backing directory " + why + "; restart the mount over it once it is back");
    }
}
