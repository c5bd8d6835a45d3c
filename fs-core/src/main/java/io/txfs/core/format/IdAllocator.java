package io.txfs.core.format;

import io.txfs.core.store.Batch;
import io.txfs.core.store.Bytes;
import io.txfs.core.store.ColumnFamily;
import io.txfs.core.store.Store;

/**
 * Hands out increasing ids, reserving them in blocks: the limit is written (to the WAL) before an id
 * beyond the previous limit is returned, so ids are never reused after a crash.
 */
public final class IdAllocator {
    private static final long BLOCK = 4096;
    private final Store store;
    private final byte[] key;
    private long next;
    private long limit;

    public IdAllocator(Store store, String name, long first) {
        this.store = store;
        this.key = Keys.meta(name);
        byte[] v = store.get(ColumnFamily.META, key);
        next = v == null ? first : Bytes.getLong(v, 0);
        limit = next;
    }

    public synchronized long next() {
        if (next >= limit) {
            long newLimit = next + BLOCK;
            store.write(new Batch().put(ColumnFamily.META, key, Bytes.longs(newLimit)), false);
            limit = newLimit;
        }
        return next++;
    }
}
