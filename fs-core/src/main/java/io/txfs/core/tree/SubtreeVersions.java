package io.txfs.core.tree;

import io.txfs.core.format.EntryName;
import io.txfs.core.format.Keys;
import io.txfs.core.format.NodeRecord;
import io.txfs.core.model.EngineConstants;
import io.txfs.core.store.Batch;
import io.txfs.core.store.Bytes;
import io.txfs.core.store.ColumnFamily;
import io.txfs.core.store.KvIterator;
import io.txfs.core.store.Store;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * "This subtree last changed at version v" marks, written by publish: every directory whose own record or
 * whose subtree (entries, records below it) differs between versions v-1 and v gets a mark at v (other
 * nodes need none: their newest record's version says when they last changed). So the
 * newest mark of a node at or below version S names the state of its whole subtree at S, and two versions
 * whose newest marks agree have that subtree unchanged: a version token valid across versions
 * (docs/inspection.md, "Incremental hashing"). A publish marks the directories it changed and the
 * ancestors of every changed node and entry in the published tree: changed directories times depth,
 * deduplicated, one small put each.
 *
 * <p>Stores opened before marks existed have unmarked versions: {@code META/subtreeFrom} is the head at
 * the first open with marks, and only versions at or above it have exact answers.
 */
public final class SubtreeVersions {
    static final byte[] FROM_KEY = Keys.meta("subtreeFrom");
    private static final byte[] MARK = {1};

    private SubtreeVersions() {}

    /** Where ancestors are looked up when not among the records a publish writes: the published head. */
    public record Ancestors(PublishedVersions versions, long head) {}

    static byte[] key(long ino, long version) {
        return Keys.node(ino, version);
    }

    /** Records the first version with complete marks when the store has none yet. */
    public static long initialize(EngineState state) {
        byte[] from = state.store.get(ColumnFamily.META, FROM_KEY);
        if (from != null) return Bytes.getLong(from, 0);
        state.store.write(new Batch().put(ColumnFamily.META, FROM_KEY, Bytes.longs(state.head())), true);
        return state.head();
    }

    /**
     * Adds to {@code b} the marks of version {@code ver}: {@code written} are the node records the publish
     * writes (id to encoded record), {@code changedNodes} the nodes others may know that changed,
     * {@code entryParents} the directories whose entries changed. Ancestors are found in the state at
     * {@code ver}: the records being written, else the published head the publish is based on.
     */
    public static void mark(
            Ancestors e, Batch b, long ver, Map<Long, byte[]> written, Set<Long> changedNodes, Set<Long> entryParents) {
        Set<Long> marked = new HashSet<>();
        for (long id : changedNodes) {
            if (marked.contains(id)) continue;
            NodeRecord r = recordAt(e, written, id);
            if (r == null) continue;
            if (r.isDir()) {
                up(e, written, id, marked);
                continue;
            }
            // a file needs no mark of its own (its record's version says when it changed); a file with
            // several names lies in several subtrees
            for (EntryName l : r.links) up(e, written, l.parent(), marked);
        }
        for (long parent : entryParents) up(e, written, parent, marked);
        for (long id : marked) b.put(ColumnFamily.SUBTREE, key(id, ver), MARK);
    }

    private static void up(Ancestors e, Map<Long, byte[]> written, long dir, Set<Long> marked) {
        long cur = dir;
        for (int guard = 0; guard < 4096; guard++) {
            if (!marked.add(cur) || cur == EngineConstants.ROOT) return;
            NodeRecord r = recordAt(e, written, cur);
            if (r == null || r.links.isEmpty()) return;
            cur = r.link().parent();
        }
    }

    private static NodeRecord recordAt(Ancestors e, Map<Long, byte[]> written, long id) {
        byte[] w = written.get(id);
        return w != null ? NodeRecord.decode(w) : e.versions().node(id, e.head());
    }

    /**
     * The newest version at or below {@code version} in which node {@code ino} changed: for a directory,
     * the newest mark (it or anything below it), never below the first marked version, or -1 when
     * {@code version} predates the marks; for any other node, the version of its newest record (written
     * whenever the node changes, and by a flush that rewrote its backing file); -1 if it has none.
     */
    static long changedAt(Store store, long ino, long version, long from) {
        try (KvIterator it = store.scan(ColumnFamily.NODE, Keys.node(ino, version), Bytes.longs(ino))) {
            if (!it.valid()) return -1;
            if (!NodeRecord.decode(it.value()).isDir()) return Keys.inv(Bytes.getLong(it.key(), 8));
        }
        if (version < from) return -1;
        try (KvIterator it = store.scan(ColumnFamily.SUBTREE, key(ino, version), Bytes.longs(ino))) {
            long at = it.valid() ? Keys.inv(Bytes.getLong(it.key(), 8)) : 0;
            return Math.max(at, from);
        }
    }
}
