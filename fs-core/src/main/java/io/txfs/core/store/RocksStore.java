package io.txfs.core.store;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.rocksdb.AbstractEventListener;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushJobInfo;
import org.rocksdb.FlushOptions;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Status;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The embedded RocksDB store. Writes go to the WAL before returning (a SIGKILL loses nothing);
 * sync writes and {@link #syncWal()} make them survive power loss. Close order: column family
 * handles, the database, then options (idempotent).
 */
public final class RocksStore implements Store {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(RocksStore.class);
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
    private final Map<Cf, ColumnFamilyHandle> byCf = new EnumMap<>(Cf.class);
    /** RocksDB's id of each column family, by Cf ordinal (for WriteBatchRep). */
    private final int[] cfIds = new int[Cf.values().length];
    private final WriteOptions async = new WriteOptions();
    /** Shared by every iterator: no snapshot, never changed after construction. */
    private final ReadOptions readOptions = new ReadOptions();
    private final WriteOptions sync = new WriteOptions().setSync(true);
    private boolean closed;
    private volatile Runnable beforeFlush = () -> {};
    private final AbstractEventListener flushListener = new AbstractEventListener(AbstractEventListener.EnabledEventCallback.ON_FLUSH_BEGIN) {
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
        dbOptions = memory.apply(new DBOptions()).setCreateIfMissing(true).setCreateMissingColumnFamilies(true)
                .setMaxBackgroundJobs(2).setKeepLogFileNum(4).setListeners(List.of(flushListener));
        cfOptions = memory.applyToMetadata(new ColumnFamilyOptions()).setCompressionType(CompressionType.NO_COMPRESSION);
        // Chunks are large and written once: no compression (file data rarely compresses well enough to
        // pay for the CPU on the write path). Memtable sizes: RocksMemory.
        chunkOptions = memory.applyToChunks(new ColumnFamilyOptions()).setCompressionType(CompressionType.NO_COMPRESSION)
                .setTargetFileSizeBase(256L << 20)
                // Values go to blob files when memtables flush, so compaction never rewrites file data.
                .setEnableBlobFiles(true).setMinBlobSize(4096).setBlobFileSize(256L << 20);
        List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
        descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, cfOptions));
        for (Cf cf : Cf.values()) {
            descriptors.add(new ColumnFamilyDescriptor(cf.columnName().getBytes(),
                    cf == Cf.CHUNK || cf == Cf.PRESERVED ? chunkOptions : cfOptions));
        }
        try {
            db = RocksDB.open(dbOptions, dir.toString(), descriptors, handles);
        } catch (RocksDBException e) {
            closeOptions();
            throw wrap("open " + dir, e);
        }
        for (int i = 0; i < Cf.values().length; i++) {
            byCf.put(Cf.values()[i], handles.get(i + 1));
            cfIds[i] = handles.get(i + 1).getID();
        }
    }

    @Override
    public void beforeBackgroundDurability(Runnable hook) {
        beforeFlush = hook;
    }

    @Override
    public byte[] get(Cf cf, byte[] key) {
        try {
            return db.get(byCf.get(cf), key);
        } catch (RocksDBException e) {
            throw wrap("get", e);
        }
    }

    @Override
    public KvIterator scan(Cf cf, byte[] from, byte[] prefix) {
        RocksIterator it = db.newIterator(byCf.get(cf), readOptions);
        it.seek(from);
        return new KvIterator() {
            @Override
            public boolean valid() {
                return it.isValid() && Bytes.startsWith(it.key(), prefix);
            }

            @Override public byte[] key() { return it.key(); }
            @Override public byte[] value() { return it.value(); }
            @Override public void next() { it.next(); }

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
        try (WriteBatch wb = new WriteBatch(WriteBatchRep.encode(batch.ops(), cfIds))) {
            db.write(syncIt ? sync : async, wb);
        } catch (RocksDBException e) {
            throw wrap("write", e);
        }
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
    public StoreMemory memory() {
        try {
            return new StoreMemory(memory.cacheBytes(), memory.cacheUsage(), memory.cachePinnedUsage(),
                    memory.memtableBudgetBytes(), RocksMemory.memtableUsage(db, handles));
        } catch (RocksDBException e) {
            throw wrap("memory", e);
        }
    }

    /** Flushes memtables to SST files; used by benchmarks to measure storage growth. */
    public void flushMemtables() {
        try (FlushOptions fo = new FlushOptions().setWaitForFlush(true)) {
            db.flush(fo, handles);
        } catch (RocksDBException e) {
            throw wrap("flush", e);
        }
    }

    ColumnFamilyHandle handle(Cf cf) {
        return byCf.get(cf);
    }

    int[] cfIds() {
        return cfIds.clone();
    }

    private static StoreException wrap(String what, RocksDBException e) {
        Status s = e.getStatus();
        String msg = e.getMessage() == null ? "" : e.getMessage();
        boolean noSpace = (s != null && s.getSubCode() == Status.SubCode.NoSpace)
                || msg.contains("No space left") || msg.contains("ENOSPC");
        return new StoreException("rocksdb " + what + ": " + msg, e, noSpace);
    }

    @Override
    public synchronized void close() {
        if (closed) return;
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
