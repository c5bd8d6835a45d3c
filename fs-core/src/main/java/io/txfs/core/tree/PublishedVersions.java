package io.txfs.core.tree;

import io.txfs.core.format.EntryValue;
import io.txfs.core.format.Keys;
import io.txfs.core.format.NodeRecord;
import io.txfs.core.model.ChangeSet;
import io.txfs.core.store.Bytes;
import io.txfs.core.store.ColumnFamily;
import io.txfs.core.store.KvIterator;
import io.txfs.core.store.Store;
import io.txfs.core.store.StoreException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The published tree at any kept version: node records and directory entries as of a version, read
 * through {@link PublishedCache} (docs/concurrency.md says why it is never stale), and what changed
 * between two versions.
 */
public final class PublishedVersions {
    private static final byte[] EMPTY = new byte[0];

    private final Store store;
    /** Published records and entries already read (docs/concurrency.md says why it is never stale). */
    public final PublishedCache cache = new PublishedCache();
    /**
     * Directories whose version-0 entries never change again: their backing listing is imported
     * (BackingImport), or they have none. An absent name in them stays absent up to any version read.
     */
    private final Set<Long> listed = ConcurrentHashMap.newKeySet();

    /** The first version from which every publish wrote subtree marks (SubtreeVersions); set at open. */
    private volatile long subtreeFrom;

    public PublishedVersions(Store store) {
        this.store = store;
    }

    /** Directory dir's version-0 entries are final (see {@link #listed}). */
    void listed(long dir) {
        if (!listed.contains(dir)) listed.add(dir);
    }

    public NodeRecord node(long id, long version) {
        NodeRecord cached = cache.node(id, version);
        if (cached != null) return cached;
        try (KvIterator it = store.scan(ColumnFamily.NODE, Keys.node(id, version), Bytes.longs(id))) {
            if (!it.valid()) return null;
            NodeRecord r = NodeRecord.decode(it.value());
            if (PublishedCache.cacheable(Keys.inv(Bytes.getLong(it.key(), 8)), r)) {
                cache.putNode(id, Keys.inv(Bytes.getLong(it.key(), 8)), version, r.copy());
            }
            return r;
        }
    }

    public EntryValue dent(long parent, byte[] name, long version) {
        EntryValue cached = cache.dent(parent, name, version);
        if (cached != null) return cached;
        try (KvIterator it =
                store.scan(ColumnFamily.DENT, Keys.dent(parent, name, version), Keys.dentName(parent, name))) {
            if (!it.valid()) {
                // Absent up to this version stays true: publishes add versions above head, and only the
                // import of this directory's backing listing adds version-0 entries, which is done now.
                if (listed.contains(parent)) {
                    cache.putDent(parent, name, 0, version, EntryValue.DELETED);
                }
                return EntryValue.DELETED;
            }
            EntryValue d = EntryValue.decode(it.value());
            byte[] k = it.key();
            cache.putDent(parent, name, Keys.inv(Bytes.getLong(k, k.length - 8)), version, d);
            return d;
        }
    }

    /** Everything published in versions (from, to]. */
    public ChangeSet changesBetween(long from, long to) {
        Set<Long> nodes = new HashSet<>();
        Set<ChangeSet.Entry> entries = new HashSet<>();
        if (to <= from) return new ChangeSet(nodes, entries);
        try (KvIterator it = store.scan(ColumnFamily.CHANGE, Bytes.longs(from + 1), EMPTY)) {
            for (; it.valid(); it.next()) {
                if (Bytes.getLong(it.key(), 0) > to) break;
                byte[] v = it.value();
                if (v[1] == 'N') nodes.add(Bytes.getLong(v, 2));
                else entries.add(new ChangeSet.Entry(Bytes.getLong(v, 2), Arrays.copyOfRange(v, 10, v.length)));
            }
        }
        return new ChangeSet(nodes, entries);
    }

    /** Set once the store is open: see {@link #subtreeFrom}. */
    public void subtreeMarksFrom(long version) {
        subtreeFrom = version;
    }

    /**
     * The newest version at or below {@code version} in which node {@code ino} or anything in its subtree
     * changed (never below the first version with marks), or -1 if the store holds no marks for that
     * version. Equal answers for two versions mean the node's subtree is the same in both.
     */
    public long subtreeChangedAt(long ino, long version) {
        try {
            return SubtreeVersions.changedAt(store, ino, version, subtreeFrom);
        } catch (StoreException e) {
            throw EngineState.storeError(e);
        }
    }
}
