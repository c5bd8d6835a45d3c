package io.txfs.fuse;

import java.io.IOException;

/** A plain unmount was refused (EBUSY): a process in this mount namespace uses the mount. */
public final class MountBusyException extends IOException {
    private static final long serialVersionUID = 1L;

    public MountBusyException(String message) {
        super(message);
    }
}
