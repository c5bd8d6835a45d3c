package io.txfs.core;

import io.txfs.core.store.Batch;
import io.txfs.core.store.ColumnFamily;
import io.txfs.core.store.KvIterator;
import io.txfs.core.store.MemoryStore;
import io.txfs.core.store.Store;

/** A memory store that a test wraps to watch or refuse one kind of call (override it, call super). */
class ForwardingStore implements Store {
    final MemoryStore inner = new MemoryStore();

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
        inner.write(batch, sync);
    }

    @Override
    public void syncWal() {
        inner.syncWal();
    }

    @Override
    public long approximateSize() {
        return inner.approximateSize();
    }

    @Override
    public void close() {
        inner.close();
    }
}
