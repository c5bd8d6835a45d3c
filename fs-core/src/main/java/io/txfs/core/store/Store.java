package io.txfs.core.store;

/**
 * An ordered key-value store with column families and atomic batches. Keys compare as unsigned bytes.
 * Implementations are thread-safe; a batch is applied atomically (RocksDB) or at least before
 * {@link #write} returns (memory) — the engine never relies on a reader seeing a batch atomically,
 * it publishes by advancing a version number after the batch is in.
 */
public interface Store extends AutoCloseable {
    byte[] get(ColumnFamily cf, byte[] key);

    /** Iterates keys >= from that start with prefix. */
    KvIterator scan(ColumnFamily cf, byte[] from, byte[] prefix);

    default KvIterator scan(ColumnFamily cf, byte[] prefix) {
        return scan(cf, prefix, prefix);
    }

    /** Applies the batch; it is in the write-ahead log before this returns; sync also fsyncs that log. */
    void write(Batch batch, boolean sync);

    /** Makes every write so far survive power loss. */
    void syncWal();

    /**
     * Runs hook before the store makes writes durable on its own initiative (RocksDB: before a memtable
     * flush writes table files), so data those writes point to can be made durable first.
     */
    default void beforeBackgroundDurability(Runnable hook) {}

    /**
     * Gives the space of deleted keys back to the filesystem now: makes memtables durable (so old log files
     * can go) and compacts away tombstones and dead values. Readers and writers go on meanwhile. The memory
     * store has nothing to give back.
     */
    default void compact() {}

    /**
     * Rewrites the keys in [from, to) of the column family so that deleted keys stop costing reads (RocksDB: a manual compaction,
     * which drops the tombstones iterators otherwise step over until a compaction reaches them).
     */
    default void compact(ColumnFamily cf, byte[] from, byte[] to) {}

    /** Approximate bytes used, for statfs and benchmarks. */
    long approximateSize();

    /** Memory held against the store's budget now (docs/memory.md). */
    default StoreMemory memory() {
        return StoreMemory.NONE;
    }

    @Override
    void close();
}
