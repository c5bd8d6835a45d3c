package io.txfs.core.store;

/** A forward cursor over one column family, limited to keys with a given prefix. Not thread-safe. */
public interface KvIterator extends AutoCloseable {
    boolean valid();

    byte[] key();

    byte[] value();

    void next();

    /** Moves to the first key >= target (still limited to the prefix); target must not be before the current key. */
    void seek(byte[] target);

    @Override
    void close();
}
