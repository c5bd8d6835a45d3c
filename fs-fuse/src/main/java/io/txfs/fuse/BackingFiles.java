package io.txfs.fuse;

import java.io.IOException;

/**
 * Registers open descriptors with the kernel for FUSE_PASSTHROUGH (FUSE_DEV_IOC_BACKING_OPEN):
 * an OPEN or CREATE reply with {@link OpenResult#FOPEN_PASSTHROUGH} and the returned id makes the
 * kernel do reads, writes and mmap of that open file on the backing descriptor directly.
 */
public interface BackingFiles {
    /** Returns a backing id (> 0) for {@code fd}; needs CAP_SYS_ADMIN. */
    int open(int fd) throws IOException;

    /** Drops the registration; the kernel keeps its reference for files already opened with it. */
    void close(int backingId);
}
