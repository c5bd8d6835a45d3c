package io.txfs.fuse;

/**
 * Collects directory entries into the reply buffer of one READDIR/READDIRPLUS. Each add returns
 * false when the entry did not fit; the filesystem stops there and the kernel asks again from the
 * last accepted entry's {@code nextOffset}.
 */
public interface DirectoryFiller {
    /** READDIR: {@code type} is the file type as in mode bits ({@code mode >>> 12}, i.e. DT_*). */
    boolean add(byte[] name, long ino, int type, long nextOffset);

    /**
     * READDIRPLUS: when this returns true and {@code entry.nodeId() != 0}, the kernel counts one
     * lookup of that node (except for "." and ".."), exactly as a LOOKUP reply would.
     */
    boolean addPlus(byte[] name, Entry entry, long nextOffset);
}
