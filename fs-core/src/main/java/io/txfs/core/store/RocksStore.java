package io.txfs.core.store;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.rocksdb.AbstractEventListener;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompactRangeOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushJobInfo;
import org.rocksdb.FlushOptions;
import org.rocksdb.MutableColumnFamilyOptions;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Status;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded RocksDB store. Writes go to the WAL before returning (a SIGKILL loses nothing);
 * sync writes and {@link #syncWal()} make them survive power loss. Close order: column family
 * handles, the database, then options (idempotent).
 */
public final class RocksStore implements Store {
    private static final Logger log = LoggerFactory.getLogger(RocksStore.class);

    static {
        RocksNativeLibrary.load();
    }

    /** Cache, memtable and table-reader memory: all memory options are there, none here. */
    private final RocksMemory memory = RocksMemory.fromSystemProperties();

    private final DBOptions dbOptions;
    private final ColumnFamilyOptions cfOptions;
    private final ColumnFamilyOptions chunkOptions;
    private final RocksDB db;
    private final List<ColumnFamilyHandle> handles = new ArrayList<>();
    private final Map<ColumnFamily, ColumnFamilyHandle> byCf = new EnumMap<>(ColumnFamily.class);
    /** RocksDB's id of each column family, by ColumnFamily ordinal (for WriteBatchRep). */
    private final int[] cfIds = new int[ColumnFamily.values().length];

    private final WriteOptions async = new WriteOptions();
    /** Shared by every iterator: no snapshot, never changed after construction. */
    private final ReadOptions readOptions = new ReadOptions();

    private final WriteOptions sync = new WriteOptions().setSync(true);
    private boolean closed;
    /** Held by a running {@link #compact()}; close cancels it and waits for it to stop. */
    private final Object compacting = new Object();

    private volatile boolean closing;
    private volatile CompactRangeOptions running;
    private final Object cancel = new Object();
    private volatile Runnable beforeFlush = () -> {};
    private final AbstractEventListener flushListener =
            new AbstractEventListener(AbstractEventListener.EnabledEventCallback.ON_FLUSH_BEGIN) {
                @Override
                public void onFlushBegin(RocksDB db, FlushJobInfo info) {
                    try {
                        beforeFlush.run();
                    } catch (RuntimeException e) {
                        // cannot stop RocksDB's flush from here: say it loudly
                        log.error("before a memtable flush: {}", e.toString(), e);
                    }
                }
            };

    public RocksStore(Path dir) {
        dbOptions = memory.apply(new DBOptions())
                .setCreateIfMissing(true)
                .setCreateMissingColumnFamilies(true)
                .setMaxBackgroundJobs(2)
                .setKeepLogFileNum(4)
                .setListeners(List.of(flushListener));
        boundWal(dbOptions);
        cfOptions = reclaimTombstones(
                memory.applyToMetadata(new ColumnFamilyOptions()).setCompressionType(CompressionType.NO_COMPRESSION));
        // Chunks are large and written once: no compression (file data rarely compresses well enough to
        // pay for the CPU on the write path). Memtable sizes: RocksMemory.
        chunkOptions = memory.applyToChunks(new ColumnFamilyOptions())
                .setCompressionType(CompressionType.NO_COMPRESSION)
                .setTargetFileSizeBase(256L << 20)
                // Values go to blob files when memtables flush, so compaction never rewrites file data.
                .setEnableBlobFiles(true)
                .setMinBlobSize(4096)
                .setBlobFileSize(256L << 20);
        collectBlobs(reclaimTombstones(chunkOptions));
        List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
        descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, cfOptions));
        for (ColumnFamily cf : ColumnFamily.values()) {
            descriptors.add(new ColumnFamilyDescriptor(
                    cf.columnName().getBytes(),
                    cf == ColumnFamily.CHUNK || cf == ColumnFamily.PRESERVED ? chunkOptions : cfOptions));
        }
        try {
            db = RocksDB.open(dbOptions, dir.toString(), descriptors, handles);
        } catch (RocksDBException e) {
            closeOptions();
            throw wrap("open " + dir, e);
        }
        for (int i = 0; i < ColumnFamily.values().length; i++) {
            byCf.put(ColumnFamily.values()[i], handles.get(i + 1));
            cfIds[i] = handles.get(i + 1).getID();
        }
    }

    @Override
    public void beforeBackgroundDurability(Runnable hook) {
        beforeFlush = hook;
    }

    @Override
    public byte[] get(ColumnFamily cf, byte[] key) {
        try {
            return db.get(byCf.get(cf), key);
        } catch (RocksDBException e) {
            throw wrap("get", e);
        }
    }

    @Override
    public KvIterator scan(ColumnFamily cf, byte[] from, byte[] prefix) {
        RocksIterator it = db.newIterator(byCf.get(cf), readOptions);
        it.seek(from);
        return new KvIterator() {
            @Override
            public boolean valid() {
                return it.isValid() && Bytes.startsWith(it.key(), prefix);
            }

            @Override
            public byte[] key() {
                return it.key();
            }

            @Override
            public byte[] value() {
                return it.value();
            }

            @Override
            public void next() {
                it.next();
            }

            @Override
            public void seek(byte[] target) {
                it.seek(target);
            }

            @Override
            public void close() {
                it.close();
            }
        };
    }

    @Override
    public void write(Batch batch, boolean syncIt) {
        if (batch.isEmpty()) return;
        // One JNI call for the whole batch instead of one per operation (WriteBatchRep).
        byte[] rep = WriteBatchRep.encode(batch.ops(), cfIds);
        try (WriteBatch wb = new WriteBatch(rep)) {
            db.write(syncIt ? sync : async, wb);
        } catch (RocksDBException e) {
            throw wrap("write", e);
        }
        countWal(rep.length);
    }

    @Override
    public void syncWal() {
        try {
            db.flushWal(true);
        } catch (RocksDBException e) {
            throw wrap("sync wal", e);
        }
    }

    @Override
    public long approximateSize() {
        long n = 0;
        try {
            for (ColumnFamilyHandle h : handles) {
                n += db.getLongProperty(h, "rocksdb.total-sst-files-size");
                n += db.getLongProperty(h, "rocksdb.cur-size-all-mem-tables");
            }
        } catch (RocksDBException e) {
            throw wrap("size", e);
        }
        return n;
    }

    @Override
    public void compact(ColumnFamily cf, byte[] from, byte[] to) {
        try {
            db.compactRange(byCf.get(cf), from, to);
        } catch (RocksDBException e) {
            throw wrap("compact " + cf.columnName(), e);
        }
    }

    @Override
    public StoreMemory memory() {
        try {
            return new StoreMemory(
                    memory.cacheBytes(),
                    memory.cacheUsage(),
                    memory.cachePinnedUsage(),
                    memory.memtableBudgetBytes(),
                    RocksMemory.memtableUsage(db, handles));
        } catch (RocksDBException e) {
            throw wrap("memory", e);
        }
    }

    /** Flushes memtables to SST files, so that a full compaction sees every key. */
    private void flushMemtables() {
        try (FlushOptions fo = new FlushOptions().setWaitForFlush(true)) {
            db.flush(fo, handles);
        } catch (RocksDBException e) {
            throw wrap("flush", e);
        }
    }

    // ------------------------------------------------------------------ space reclamation
    // (WAL, blob and compaction options; docs/storage-format.md "Garbage collection", "RocksDB options".
    // Memory options — block cache, memtable sizes — are set above, not here.)

    /**
     * After this many bytes written to the WAL, every column family's memtable is flushed, so the WAL files
     * behind them become obsolete and are deleted. Why: a WAL file is kept until every column family with
     * data in it has flushed, and the small families (views, meta, log) take hours to fill a memtable — 75
     * WAL files, 6.4 GiB, were kept by 10 cycles of 100 MiB in views. Why not RocksDB's max_total_wal_size
     * alone: the flushes it starts have a reason (kWalFull, 13) that RocksJava 9.7 cannot name, so the
     * listener's FlushJobInfo fails to build and {@link #beforeBackgroundDurability} is not run before them
     * (chunk data would not be synced before the table files naming it). Flushes started here are manual
     * ones, which run the hook. 128 MiB: about one chunk memtable, so the WAL holds little more than the
     * memtables would anyway.
     */
    static final long MAX_TOTAL_WAL_BYTES = 128L << 20;
    /** RocksDB's own bound, a backstop four times ours (it flushes without the hook, see above). */
    static final long WAL_BACKSTOP_BYTES = 4 * MAX_TOTAL_WAL_BYTES;

    private final AtomicLong walSinceFlush = new AtomicLong();

    /** Counts bytes written to the WAL; past the bound, flushes every memtable without waiting for it. */
    private void countWal(long bytes) {
        long n = walSinceFlush.addAndGet(bytes);
        if (n < MAX_TOTAL_WAL_BYTES || !walSinceFlush.compareAndSet(n, 0)) return;
        // neither waits: the writer that crossed the bound goes on at once (a stall, if any, is RocksDB's
        // usual one for a full memtable)
        try (FlushOptions fo = new FlushOptions().setWaitForFlush(false).setAllowWriteStall(true)) {
            db.flush(fo, handles);
        } catch (RocksDBException e) {
            // Never the writer's failure: its batch is in. RocksDB refuses a manual flush while writes are
            // stopped (the memtable budget of RocksMemory is full and its own flushes are running, which
            // release WAL files too); try again after a little more WAL instead of a whole bound.
            walSinceFlush.addAndGet(MAX_TOTAL_WAL_BYTES - WAL_RETRY_BYTES);
            log.debug("WAL-bound flush deferred: {}", e.toString());
        }
    }

    /** After a refused WAL-bound flush, the WAL written before the next try. */
    private static final long WAL_RETRY_BYTES = 16L << 20;

    /**
     * Tombstones and stale versions of keys are dropped only by compaction. Why periodic: the collector
     * deletes keys in families (node, dent, chunk, change) that may not be written enough to reach a
     * level's compaction trigger; a day bounds how long they stay. `txfs gc` and large collections compact
     * at once ({@link #compact()}).
     */
    static final long PERIODIC_COMPACTION_SECONDS = 24 * 3600;
    /**
     * Blob GC: when compaction rewrites an SST referencing a blob in the oldest half of blob files, the blob
     * is copied to a new file, so the old file, holding only deleted values, can be removed. The force
     * threshold makes RocksDB schedule that compaction by itself once half of those oldest files is garbage
     * (the chunk values of flushed or deleted files). Why 0.5/0.5: a lower cutoff leaves files of dead chunk
     * values alone for ever when the family sees few writes; 1.0 would rewrite every live blob at each
     * compaction (done only by {@link #compact()}).
     */
    static final double BLOB_GC_AGE_CUTOFF = 0.5;

    static final double BLOB_GC_FORCE_THRESHOLD = 0.5;

    private static void boundWal(DBOptions o) {
        // WAL archive off (TTL and size limit 0): obsolete WAL files are deleted, not moved aside
        o.setMaxTotalWalSize(WAL_BACKSTOP_BYTES).setWalTtlSeconds(0).setWalSizeLimitMB(0);
    }

    private static ColumnFamilyOptions reclaimTombstones(ColumnFamilyOptions o) {
        return o.setPeriodicCompactionSeconds(PERIODIC_COMPACTION_SECONDS);
    }

    private static void collectBlobs(ColumnFamilyOptions o) {
        o.setEnableBlobGarbageCollection(true)
                .setBlobGarbageCollectionAgeCutoff(BLOB_GC_AGE_CUTOFF)
                .setBlobGarbageCollectionForceThreshold(BLOB_GC_FORCE_THRESHOLD);
    }

    /**
     * Flushes every memtable (the WAL files behind them become obsolete and are deleted), then compacts
     * every column family to its last level, dropping tombstones and superseded values; the blob families
     * are compacted with an age cutoff of 1.0, so every live chunk value moves to new blob files and every
     * old blob file (garbage) goes. Views keep reading and writing meanwhile (RocksDB compacts beside them);
     * cost: the live data of the store is rewritten once.
     */
    @Override
    public void compact() {
        synchronized (compacting) {
            if (closing) return;
            flushMemtables();
            CompactRangeOptions all = new CompactRangeOptions()
                    .setBottommostLevelCompaction(CompactRangeOptions.BottommostLevelCompaction.kForce)
                    .setExclusiveManualCompaction(false);
            running = all;
            try {
                for (ColumnFamily cf : ColumnFamily.values()) {
                    if (closing) return;
                    ColumnFamilyHandle h = byCf.get(cf);
                    boolean blobs = cf == ColumnFamily.CHUNK || cf == ColumnFamily.PRESERVED;
                    if (blobs) setBlobAgeCutoff(h, 1.0);
                    try {
                        db.compactRange(h, null, null, all);
                    } finally {
                        if (blobs) setBlobAgeCutoff(h, BLOB_GC_AGE_CUTOFF);
                    }
                }
            } catch (RocksDBException e) {
                if (!closing) throw wrap("compact", e); // closing cancels it: nothing lost, the space waits
            } finally {
                synchronized (cancel) {
                    running = null;
                    all.close();
                }
            }
        }
    }

    private void setBlobAgeCutoff(ColumnFamilyHandle h, double cutoff) throws RocksDBException {
        db.setOptions(
                h,
                MutableColumnFamilyOptions.builder()
                        .setBlobGarbageCollectionAgeCutoff(cutoff)
                        .build());
    }

    ColumnFamilyHandle handle(ColumnFamily cf) {
        return byCf.get(cf);
    }

    int[] cfIds() {
        return cfIds.clone();
    }

    private static StoreException wrap(String what, RocksDBException e) {
        Status s = e.getStatus();
        String msg = e.getMessage() == null ? "" : e.getMessage();
        boolean noSpace = (s != null && s.getSubCode() == Status.SubCode.NoSpace)
                || msg.contains("No space left")
                || msg.contains("ENOSPC");
        return new StoreException("rocksdb " + what + ": " + msg, e, noSpace);
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closing = true;
        synchronized (cancel) {
            if (running != null) running.setCanceled(true);
        }
        synchronized (compacting) {
            closeNow();
        }
    }

    private void closeNow() {
        closed = true;
        try {
            db.syncWal();
        } catch (RocksDBException ignored) {
            // closing anyway; the WAL is replayed at the next open
        }
        for (ColumnFamilyHandle h : handles) h.close();
        db.close();
        closeOptions();
    }

    private void closeOptions() {
        flushListener.close();
        readOptions.close();
        async.close();
        sync.close();
        dbOptions.close();
        cfOptions.close();
        chunkOptions.close();
        // after the database and every options object that refers to them
        memory.close();
    }
}
