package io.txfs.core.tree;

import io.txfs.core.format.EntryName;
import io.txfs.core.format.EntryValue;
import io.txfs.core.model.FileType;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Bounded heap cache of one view's pending records, entries and conflict keys, including "the view
 * has none" (most lookups in a view reach nodes it never changed). It can never answer stale because
 * the pending delta changes only under the view's write lock: by {@code Engine.commit} (which puts
 * what it wrote, after the batch is in), and by publish/abort/discard (which {@link #clear()} it).
 * Readers fill it under the read lock, when no writer can run. Node records are kept encoded (the
 * bytes that went to the store), so nobody can change a cached record.
 */
public final class PendingCache {
    static final int MAX_ENTRIES = 16_384;
    /** "No pending record/entry": compared by identity. */
    static final byte[] NONE = new byte[0];

    static final EntryValue NO_DENT = new EntryValue(-1, FileType.REGULAR);

    private final Map<Long, byte[]> nodes = new ConcurrentHashMap<>();
    private final Map<EntryName, EntryValue> dents = new ConcurrentHashMap<>();
    private final Set<ByteBuffer> keys = ConcurrentHashMap.newKeySet();

    /** The encoded pending record, {@link #NONE}, or null if not cached. */
    byte[] node(long id) {
        return nodes.get(id);
    }

    public void putNode(long id, byte[] encodedOrNone) {
        bound(nodes);
        nodes.put(id, encodedOrNone);
    }

    /** The pending entry, {@link #NO_DENT}, or null if not cached. */
    EntryValue dent(long parent, byte[] name) {
        return dents.get(new EntryName(parent, name));
    }

    /** name must not change afterwards (callers pass a copy or an array nobody else holds). */
    public void putDent(EntryName l, EntryValue d) {
        bound(dents);
        dents.put(l, d);
    }

    /** Whether the view's p_key row for conflict key k is known to exist. */
    boolean hasKey(ByteBuffer k) {
        return keys.contains(k);
    }

    public void addKeys(Set<ByteBuffer> ks) {
        bound(keys);
        keys.addAll(ks);
    }

    public void clear() {
        nodes.clear();
        dents.clear();
        keys.clear();
    }

    private static void bound(Collection<?> c) {
        if (c.size() >= MAX_ENTRIES) c.clear();
    }

    private static void bound(Map<?, ?> m) {
        if (m.size() >= MAX_ENTRIES) m.clear();
    }
}
