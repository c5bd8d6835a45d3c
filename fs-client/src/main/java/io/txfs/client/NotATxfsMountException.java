package io.txfs.client;

import java.nio.file.FileSystemException;
import java.nio.file.Path;

/** {@link TxfsMount#open} was given a directory with no {@code .txfs/ctl}: nothing txfs is mounted there. */
public final class NotATxfsMountException extends FileSystemException {
    private static final long serialVersionUID = 1L;

    public NotATxfsMountException(Path mountpoint) {
        super(mountpoint.toString(), null, "no txfs mount here (no " + mountpoint.resolve(".txfs/ctl") + ")");
    }
}
