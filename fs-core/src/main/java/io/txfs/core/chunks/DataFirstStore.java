package io.txfs.core.chunks;

import io.txfs.core.store.Batch;
import io.txfs.core.store.ColumnFamily;
import io.txfs.core.store.KvIterator;
import io.txfs.core.store.Store;
import io.txfs.core.store.StoreMemory;

/**
 * The engine's view of its store: before anything the store makes durable (a synced batch, a WAL sync,
 * a memtable flush), the chunk data files are fsynced, so a key that survives power loss never names
 * bytes that did not. Without a sync both live in the page cache and survive a SIGKILL alike.
 */
public final class DataFirstStore implements Store {
    private final Store inner;
    private final ChunkData data;

    public DataFirstStore(Store inner, ChunkData data) {
        this.inner = inner;
        this.data = data;
        inner.beforeBackgroundDurability(data::sync);
    }

    @Override
    public byte[] get(ColumnFamily cf, byte[] key) {
        return inner.get(cf, key);
    }

    @Override
    public KvIterator scan(ColumnFamily cf, byte[] from, byte[] prefix) {
        return inner.scan(cf, from, prefix);
    }

    @Override
    public void write(Batch batch, boolean sync) {
        if (sync) data.sync();
        inner.write(batch, sync);
    }

    @Override
    public void syncWal() {
        data.sync();
        inner.syncWal();
    }

    @Override
    public void beforeBackgroundDurability(Runnable hook) {
        throw new UnsupportedOperationException("the engine's store already syncs chunk data first");
    }

    @Override
    public void compact() {
        inner.compact();
    }

    @Override
    public void compact(ColumnFamily cf, byte[] from, byte[] to) {
        inner.compact(cf, from, to); // a compaction that flushes the memtable first runs the background-durability hook
    }

    @Override
    public long approximateSize() {
        return inner.approximateSize();
    }

    @Override
    public StoreMemory memory() {
        return inner.memory();
    }

    @Override
    public void close() {
        inner.close();
    }
}
