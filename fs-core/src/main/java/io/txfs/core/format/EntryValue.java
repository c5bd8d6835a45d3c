package io.txfs.core.format;

import io.txfs.core.model.FileType;
import io.txfs.core.store.Bytes;

/** A directory entry value: the child node (0 = deleted in this layer) and its type. */
public record EntryValue(long child, FileType type) {
    public static final EntryValue DELETED = new EntryValue(0, FileType.REGULAR);

    public byte[] encode() {
        byte[] b = new byte[10];
        b[0] = 1;
        Bytes.putLong(b, 1, child);
        b[9] = (byte) type.ordinal();
        return b;
    }

    public static EntryValue decode(byte[] b) {
        if (b[0] != 1) throw new IllegalStateException("unknown dent format " + b[0]);
        return new EntryValue(Bytes.getLong(b, 1), FileType.values()[b[9]]);
    }
}
