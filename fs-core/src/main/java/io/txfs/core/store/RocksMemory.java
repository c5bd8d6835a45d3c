package io.txfs.core.store;

import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.LRUCache;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBufferManager;

/**
 * RocksDB's share of the daemon's memory budget (docs/memory.md): one LRU block cache for every
 * column family with a strict capacity, memtables charged to that same cache through a write buffer
 * manager, and index and filter blocks kept in the cache instead of on the heap of each table reader.
 * So everything RocksDB holds for reads and writes is bounded by {@link #cacheBytes()}, whatever the
 * number of SST files or the write rate (a full cache stalls writers until a memtable is flushed).
 *
 * <p>Only memory options live here; WAL, blob and compaction options are RocksStore's.
 * Sizes can be changed with system properties {@code txfs.rocksdb.cache-mib} and
 * {@code txfs.rocksdb.memtables-mib} (the memtables' part of the cache).
 */
public final class RocksMemory implements AutoCloseable {
    static final long DEFAULT_CACHE_MIB = 96;
    static final long DEFAULT_MEMTABLES_MIB = 48;
    /** One memtable of the chunk column families: file data, several fit in the memtable budget. */
    static final long CHUNK_WRITE_BUFFER = 16L << 20;

    static final int CHUNK_WRITE_BUFFERS = 3;
    /** One memtable of the metadata column families: small records, many of them. */
    static final long META_WRITE_BUFFER = 8L << 20;

    private final long cacheBytes;
    private final long memtableBytes;
    private final LRUCache cache;
    private final WriteBufferManager writeBuffers;
    private final BlockBasedTableConfig tables;

    RocksMemory(long cacheBytes, long memtableBytes) {
        if (memtableBytes >= cacheBytes) {
            throw new IllegalArgumentException(
                    "memtables (" + memtableBytes + ") must leave room in the cache (" + cacheBytes + ")");
        }
        this.cacheBytes = cacheBytes;
        this.memtableBytes = memtableBytes;
        // strict: an insert beyond capacity fails (a read then goes to the file) instead of growing the cache
        cache = new LRUCache(cacheBytes, -1, true);
        // allow_stall: writers wait for a flush rather than push memtables past their budget
        writeBuffers = new WriteBufferManager(memtableBytes, cache, true);
        tables = new BlockBasedTableConfig()
                .setBlockCache(cache)
                .setCacheIndexAndFilterBlocks(true)
                .setCacheIndexAndFilterBlocksWithHighPriority(true)
                .setPinL0FilterAndIndexBlocksInCache(true);
    }

    /** The budget from system properties, or the defaults. */
    public static RocksMemory fromSystemProperties() {
        long cache = Long.getLong("txfs.rocksdb.cache-mib", DEFAULT_CACHE_MIB) << 20;
        long memtables = Long.getLong("txfs.rocksdb.memtables-mib", DEFAULT_MEMTABLES_MIB) << 20;
        return new RocksMemory(cache, memtables);
    }

    DBOptions apply(DBOptions db) {
        return db.setWriteBufferManager(writeBuffers);
    }

    ColumnFamilyOptions applyToMetadata(ColumnFamilyOptions cf) {
        return cf.setTableFormatConfig(tables)
                .setWriteBufferSize(META_WRITE_BUFFER)
                .setMaxWriteBufferNumber(2);
    }

    ColumnFamilyOptions applyToChunks(ColumnFamilyOptions cf) {
        return cf.setTableFormatConfig(tables)
                .setWriteBufferSize(CHUNK_WRITE_BUFFER)
                .setMaxWriteBufferNumber(CHUNK_WRITE_BUFFERS);
    }

    public long cacheBytes() {
        return cacheBytes;
    }

    public long memtableBudgetBytes() {
        return memtableBytes;
    }

    /** Bytes the cache holds now, memtable reservations included. */
    public long cacheUsage() {
        return cache.getUsage();
    }

    public long cachePinnedUsage() {
        return cache.getPinnedUsage();
    }

    /** What {@code db}'s memtables (mutable, immutable and pinned) hold now, summed over the column families. */
    static long memtableUsage(RocksDB db, Iterable<ColumnFamilyHandle> handles) throws RocksDBException {
        long n = 0;
        for (ColumnFamilyHandle h : handles) {
            n += db.getLongProperty(h, "rocksdb.size-all-mem-tables");
        }
        return n;
    }

    @Override
    public void close() {
        writeBuffers.close();
        cache.close();
    }
}
