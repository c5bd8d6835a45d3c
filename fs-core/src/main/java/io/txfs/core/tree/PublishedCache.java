package io.txfs.core.tree;

import io.txfs.core.format.EntryName;
import io.txfs.core.format.EntryValue;
import io.txfs.core.format.NodeRecord;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Bounded heap cache of published node records and directory entries, so a lookup does not seek the
 * store and decode a record for every step. It can never answer stale: an entry is the value stored
 * at version {@code from} of its key and says that no version in (from, upTo] exists, where upTo was
 * a version some reader asked for (so at most {@code head} then). Published versions are only ever
 * added above head, never rewritten, so that statement stays true; the one exception — import adding
 * a hard link to a version-0 record of a multiply-linked backing file — is kept out of the cache
 * ({@link #cacheable}). A directory entry absent up to a version is cached (as a deleted entry from
 * version 0) only once its directory can gain no version-0 entries: imported, or without a backing listing.
 * Values are shared: callers get a {@link NodeRecord#copy()} of a node record.
 */
public final class PublishedCache {
    /** About 300 bytes per decoded record: a few tens of MiB at most. */
    static final int MAX_ENTRIES = 65_536;

    private record Entry<T>(long from, long upTo, T value) {}

    private final Map<Long, Entry<NodeRecord>> nodes = new ConcurrentHashMap<>();
    private final Map<EntryName, Entry<EntryValue>> dents = new ConcurrentHashMap<>();

    /** A copy of the record of node id as of version snap, or null if the cache cannot tell. */
    NodeRecord node(long id, long snap) {
        Entry<NodeRecord> e = nodes.get(id);
        return e != null && e.from <= snap && snap <= e.upTo ? e.value.copy() : null;
    }

    /** Remembers that r, stored at version from, is the newest record of id at version snap. */
    void putNode(long id, long from, long snap, NodeRecord r) {
        if (!cacheable(from, r)) return;
        bound(nodes);
        nodes.merge(id, new Entry<>(from, snap, r), PublishedCache::wider);
    }

    EntryValue dent(long parent, byte[] name, long snap) {
        Entry<EntryValue> e = dents.get(new EntryName(parent, name));
        return e != null && e.from <= snap && snap <= e.upTo ? e.value : null;
    }

    /** Remembers that d, stored at version from, is the newest entry at version snap; name is copied. */
    void putDent(long parent, byte[] name, long from, long snap, EntryValue d) {
        bound(dents);
        dents.merge(new EntryName(parent, name.clone()), new Entry<>(from, snap, d), PublishedCache::wider);
    }

    /** Version-0 records of multiply-linked files gain links when another directory is imported. */
    static boolean cacheable(long from, NodeRecord r) {
        return from != 0 || r.isDir() || r.nlink <= 1;
    }

    /** Two facts about the same key: keep the one covering the newer versions, widened when they agree. */
    private static <T> Entry<T> wider(Entry<T> a, Entry<T> b) {
        if (a.from == b.from) return a.upTo >= b.upTo ? a : new Entry<>(a.from, b.upTo, b.value);
        return a.from > b.from ? a : b;
    }

    /**
     * Forgets everything: for the one other rewrite of an existing version, an outside change amending
     * version {@code flushed} (OutsideChanges), after which no cached fact about that version can be trusted.
     */
    public void clear() {
        nodes.clear();
        dents.clear();
    }

    /** Crude but bounded: past the limit start over (a miss costs one store seek). */
    private static void bound(Map<?, ?> m) {
        if (m.size() >= MAX_ENTRIES) m.clear();
    }
}
