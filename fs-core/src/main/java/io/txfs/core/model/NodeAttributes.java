package io.txfs.core.model;

/** What getattr returns. perm holds the 07777 bits; {@link #stMode()} adds the type bits. */
public record NodeAttributes(
        long ino,
        FileType type,
        int perm,
        int uid,
        int gid,
        int nlink,
        long size,
        long atimeNs,
        long mtimeNs,
        long ctimeNs,
        long rdev) {
    public int stMode() {
        return type.bits() | perm;
    }

    /** 512-byte blocks, as st_blocks (an estimate: holes are not subtracted). */
    public long blocks() {
        return (size + 511) / 512;
    }
}
