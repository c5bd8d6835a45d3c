package io.txfs.core.model;

import io.txfs.sys.Errno;

/** Node types with their S_IFMT bits. */
public enum FileType {
    REGULAR(0100000),
    DIRECTORY(0040000),
    SYMLINK(0120000),
    FIFO(0010000),
    CHAR_DEVICE(0020000),
    BLOCK_DEVICE(0060000),
    SOCKET(0140000);

    private final int bits;

    FileType(int bits) {
        this.bits = bits;
    }

    public int bits() {
        return bits;
    }

    public static FileType fromMode(int mode) {
        int fmt = mode & 0170000;
        for (FileType t : values()) if (t.bits == fmt) return t;
        throw new FsException(Errno.EINVAL, "unknown file type in mode " + Integer.toOctalString(mode));
    }
}
