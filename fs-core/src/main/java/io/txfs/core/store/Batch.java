package io.txfs.core.store;

import java.util.ArrayList;
import java.util.List;

/** Puts and deletes applied atomically by {@link Store#write}. */
public final class Batch {
    /** One operation; value null means delete; end non-null means delete every key in [key, end). */
    public record Op(ColumnFamily cf, byte[] key, byte[] value, byte[] end) {
        Op(ColumnFamily cf, byte[] key, byte[] value) {
            this(cf, key, value, null);
        }
    }

    private final List<Op> ops = new ArrayList<>();
    private long bytes;

    public Batch put(ColumnFamily cf, byte[] key, byte[] value) {
        ops.add(new Op(cf, key, value));
        bytes += key.length + value.length;
        return this;
    }

    public Batch delete(ColumnFamily cf, byte[] key) {
        ops.add(new Op(cf, key, null));
        bytes += key.length;
        return this;
    }

    /** Deletes every key from (inclusive) to end (exclusive). */
    public Batch deleteRange(ColumnFamily cf, byte[] from, byte[] end) {
        ops.add(new Op(cf, from, null, end));
        bytes += from.length + end.length;
        return this;
    }

    public List<Op> ops() {
        return ops;
    }

    public boolean isEmpty() {
        return ops.isEmpty();
    }

    public int size() {
        return ops.size();
    }

    public long bytes() {
        return bytes;
    }
}
