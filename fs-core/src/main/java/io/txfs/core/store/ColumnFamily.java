package io.txfs.core.store;

import java.util.Locale;

/** Every column family of the store, named in one place. See docs/storage-format.md. */
public enum ColumnFamily {
    META,
    VIEWS,
    NODE,
    DENT,
    CHUNK,
    P_NODE,
    P_DENT,
    P_KEY,
    CONFLICT,
    LOG,
    CHANGE,
    IMPORTED,
    BACKING_INDEX,
    PRESERVED,
    FLUSH,
    GC,
    SUBTREE,
    DELTA_ID,
    CHECKPOINT;

    public String columnName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
