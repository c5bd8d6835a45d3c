package io.txfs.core.store;

/** A forward cursor over one column family, limited to keys with a given prefix. Not thread-safe. */
public interface KvIterator extends AutoCloseable {
    boolean valid();

    byte[] key();

    byte[] value();

    void next();

    @Override
    void close();
}
