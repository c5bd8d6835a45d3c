package io.txfs.fuse;

import java.nio.ByteBuffer;

/** A connection to the kernel: /dev/fuse, or an in-memory fake in tests. */
interface FuseChannel {
    /** Reads one request into {@code buf} from index 0; returns its length, or -errno. */
    int read(ByteBuffer buf);

    /** Writes {@code len} bytes of {@code buf} from index 0 as one message; returns 0 or -errno. */
    int write(ByteBuffer buf, int len);

    /** A channel for one more reader thread (a FUSE_DEV_IOC_CLONE'd descriptor), or this one. */
    FuseChannel cloneForReader();

    void close();

    /** FUSE_PASSTHROUGH backing-file registration on this device, or null where there is none. */
    default BackingFiles backingFiles() {
        return null;
    }
}
