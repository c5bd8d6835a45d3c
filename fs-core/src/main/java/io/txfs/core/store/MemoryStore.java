package io.txfs.core.store;

import java.util.EnumMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Supplier;

/** A heap store for fast tests. Batches are applied under one lock; readers never block. */
public final class MemoryStore implements Store {
    private final Map<ColumnFamily, ConcurrentSkipListMap<byte[], byte[]>> maps = new EnumMap<>(ColumnFamily.class);
    private final Object writeLock = new Object();
    private volatile boolean closed;
    /** What an engine keeps beside its store on disk (its chunk data files): carried to {@link #reopened()} stores. */
    private final Map<String, Object> beside;

    public MemoryStore() {
        beside = new ConcurrentHashMap<>();
        for (ColumnFamily cf : ColumnFamily.values()) maps.put(cf, new ConcurrentSkipListMap<>(Bytes::compare));
    }

    private MemoryStore(MemoryStore other) {
        maps.putAll(other.maps);
        beside = other.beside;
    }

    /** The object kept beside this store under name, made by make the first time. */
    public Object beside(String name, Supplier<Object> make) {
        return beside.computeIfAbsent(name, n -> make.get());
    }

    /** A new open store over the same data, as if this one had been closed and opened again. */
    public MemoryStore reopened() {
        return new MemoryStore(this);
    }

    @Override
    public byte[] get(ColumnFamily cf, byte[] key) {
        checkOpen();
        return maps.get(cf).get(key);
    }

    @Override
    public KvIterator scan(ColumnFamily cf, byte[] from, byte[] prefix) {
        checkOpen();
        ConcurrentSkipListMap<byte[], byte[]> map = maps.get(cf);
        return new KvIterator() {
            Iterator<Map.Entry<byte[], byte[]>> it =
                    map.tailMap(from, true).entrySet().iterator();
            Map.Entry<byte[], byte[]> cur = advance();

            private Map.Entry<byte[], byte[]> advance() {
                if (!it.hasNext()) return null;
                Map.Entry<byte[], byte[]> e = it.next();
                return Bytes.startsWith(e.getKey(), prefix) ? e : null;
            }

            @Override
            public boolean valid() {
                return cur != null;
            }

            @Override
            public byte[] key() {
                return cur.getKey();
            }

            @Override
            public byte[] value() {
                return cur.getValue();
            }

            @Override
            public void next() {
                cur = advance();
            }

            @Override
            public void seek(byte[] target) {
                it = map.tailMap(target, true).entrySet().iterator();
                cur = advance();
            }

            @Override
            public void close() {}
        };
    }

    @Override
    public void write(Batch batch, boolean sync) {
        checkOpen();
        synchronized (writeLock) {
            for (Batch.Op op : batch.ops()) {
                if (op.end() != null)
                    maps.get(op.cf()).subMap(op.key(), op.end()).clear();
                else if (op.value() == null) maps.get(op.cf()).remove(op.key());
                else maps.get(op.cf()).put(op.key(), op.value());
            }
        }
    }

    @Override
    public void syncWal() {}

    @Override
    public long approximateSize() {
        long n = 0;
        for (var m : maps.values()) for (var e : m.entrySet()) n += e.getKey().length + e.getValue().length;
        return n;
    }

    private void checkOpen() {
        if (closed) throw new IllegalStateException("store closed");
    }

    @Override
    public void close() {
        closed = true;
    }
}
