package io.txfs.fuse;

/** A file handle and the FOPEN_* flags for an open file or directory. */
public record OpenResult(long fh, int openFlags, int backingId) {
    public static final int FOPEN_DIRECT_IO = 1;
    public static final int FOPEN_KEEP_CACHE = 1 << 1;
    public static final int FOPEN_NONSEEKABLE = 1 << 2;
    public static final int FOPEN_CACHE_DIR = 1 << 3;
    public static final int FOPEN_STREAM = 1 << 4;
    public static final int FOPEN_NOFLUSH = 1 << 5;
    public static final int FOPEN_PARALLEL_DIRECT_WRITES = 1 << 6;
    /** Reads and writes go straight to the file registered as {@code backingId}. */
    public static final int FOPEN_PASSTHROUGH = 1 << 7;

    public static OpenResult of(long fh) {
        return new OpenResult(fh, 0, 0);
    }

    public static OpenResult of(long fh, int openFlags) {
        return new OpenResult(fh, openFlags, 0);
    }
}
