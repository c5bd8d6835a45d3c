package io.txfs.core.publish;

import io.txfs.core.collection.BackgroundCollection;
import io.txfs.core.collection.Collector;
import io.txfs.core.format.EntryName;
import io.txfs.core.format.EntryValue;
import io.txfs.core.format.Keys;
import io.txfs.core.format.LogCodec;
import io.txfs.core.format.NodeRecord;
import io.txfs.core.model.ChangeSet;
import io.txfs.core.model.EngineConstants;
import io.txfs.core.model.FaultPoint;
import io.txfs.core.model.FileType;
import io.txfs.core.model.Isolation;
import io.txfs.core.model.NameRules;
import io.txfs.core.model.PublishConflictException;
import io.txfs.core.model.PublishResult;
import io.txfs.core.store.Batch;
import io.txfs.core.store.Bytes;
import io.txfs.core.store.ColumnFamily;
import io.txfs.core.store.KvIterator;
import io.txfs.core.tree.CheckpointRows;
import io.txfs.core.tree.EngineParts;
import io.txfs.core.tree.EngineState;
import io.txfs.core.tree.LayeredTree;
import io.txfs.core.tree.PublishedVersions;
import io.txfs.core.tree.SubtreeVersions;
import io.txfs.core.tree.View;
import io.txfs.core.tree.ViewOperation;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Publish: first-committer-wins check of the view's conflict keys, then one batch that moves the pending
 * records to a new published version. Chunks are not touched: the published records name the layer
 * they live in. Caller holds the publish lock and the view's write lock.
 */
public final class Publisher {
    private final EngineParts parts;
    private final BackgroundCollection background;
    private final EngineState state;
    private final PublishedVersions versions;
    private final LayeredTree tree;
    // the publish being built (one Publisher per publish)
    private final Batch b = new Batch();
    private long ver;
    private int seq;
    private final Set<Long> nodes = new HashSet<>();
    /** Files changed in place (not through an entry of theirs): each counts as one path. */
    private final Set<Long> changedInPlace = new HashSet<>();

    private final Set<ChangeSet.Entry> entries = new HashSet<>();

    public Publisher(EngineParts parts, BackgroundCollection background) {
        this.parts = parts;
        this.background = background;
        this.state = parts.state();
        this.versions = parts.versions();
        this.tree = parts.tree();
    }

    public PublishResult publish(View v, boolean force) {
        return publish(v, force, false);
    }

    /**
     * Publishes the view's pending delta; {@code mergeBytes}: a file both the view and a publish since changed,
     * in different chunks, is merged instead of conflicting ({@link ByteRangeMerge}).
     */
    public PublishResult publish(View v, boolean force, boolean mergeBytes) {
        ViewOperation c = tree.readCtx(v);
        Map<ByteBuffer, Long> keys = conflictKeys(v);
        SameFinalEntries same = new SameFinalEntries(parts);
        ByteRangeMerge chunks = mergeBytes && !force ? new ByteRangeMerge(parts) : null;
        if (!force) {
            List<String> conflicts = conflicts(c, keys, same, chunks);
            if (!conflicts.isEmpty()) throw new PublishConflictException(v.name, conflicts);
        }
        ver = state.head() + 1;
        Map<Long, byte[]> raw = pendingRecords(v);
        if (chunks != null) raw.putAll(chunks.merged());
        Map<EntryName, byte[]> dentRaw = pendingEntries(v);
        List<PendingKey> pendingKeys = pendingKeys(v, keys, raw, dentRaw);
        keepPublishedWhereAlike(same, keys, raw, dentRaw); // after: the pending keys are the scanned ones
        ForceReport report = force ? forceMerge(v, keys, raw, dentRaw) : null;
        writeRecords(v, keys, raw, force);
        writeEntries(dentRaw);
        long paths = dentRaw.size() + changedInPlace.size();
        Set<Long> entryParents = new HashSet<>();
        for (ChangeSet.Entry en : entries) entryParents.add(en.parent());
        SubtreeVersions.mark(new SubtreeVersions.Ancestors(versions, state.head()), b, ver, raw, nodes, entryParents);
        for (ByteBuffer k : keys.keySet()) {
            b.put(ColumnFamily.CONFLICT, Bytes.concat(Bytes.longs(ver), k.array()), new byte[] {1});
        }
        clearPending(b, v, pendingKeys);
        // a checkpoint is a state of this pending delta; once it is published there is nothing to go back to
        CheckpointRows.drop(state.store, b, v.id, v.checkpoints);
        long bytes = v.pendingBytes;
        long now = state.clock.nowNanos();
        b.put(ColumnFamily.LOG, Bytes.longs(ver), LogCodec.encode("publish", v.name, now, paths, bytes));
        b.put(ColumnFamily.META, Keys.meta("head"), Bytes.longs(ver));
        long oldSnapshot = v.snapshot;
        commit(v);
        Map<String, ChangeSet> visible = visibleChanges(v, oldSnapshot);
        // the kernel is told by Engine once the locks are released (Engine.tellViews)
        if (report == null) return new PublishResult(v.name, ver, paths, bytes, visible, List.of(), List.of());
        state.dirLinks.changed(); // a forced publish may recreate or remove directories no view's operation did
        return new PublishResult(
                v.name, ver, paths, bytes, visible, report.overridden(parts, ver), report.kept(parts, ver));
    }

    /** The view's pending node records by node id, in key order. */
    private Map<Long, byte[]> pendingRecords(View v) {
        Map<Long, byte[]> raw = new LinkedHashMap<>();
        try (KvIterator it = state.store.scan(ColumnFamily.P_NODE, Bytes.longs(v.id))) {
            for (; it.valid(); it.next()) raw.put(Bytes.getLong(it.key(), 8), it.value());
        }
        return raw;
    }

    /** The view's pending directory entries, in key order. */
    private Map<EntryName, byte[]> pendingEntries(View v) {
        Map<EntryName, byte[]> dentRaw = new LinkedHashMap<>();
        try (KvIterator it = state.store.scan(ColumnFamily.P_DENT, Bytes.longs(v.id))) {
            for (; it.valid(); it.next()) {
                byte[] k = it.key();
                dentRaw.put(new EntryName(Bytes.getLong(k, 8), Arrays.copyOfRange(k, 16, k.length)), it.value());
            }
        }
        return dentRaw;
    }

    /** The records at the new version, and the change log's node entries. */
    private void writeRecords(View v, Map<ByteBuffer, Long> keys, Map<Long, byte[]> raw, boolean force) {
        for (var en : raw.entrySet()) {
            long id = en.getKey();
            byte[] val = en.getValue();
            // Records are copied as they are; only directories changed as a side effect are decoded.
            boolean dir = val[1] == FileType.DIRECTORY.ordinal();
            boolean explicit = keys.containsKey(ByteBuffer.wrap(Keys.conflictKey('N', id)));
            if (dir && !explicit && !force)
                val = mergeImplicit(id, NodeRecord.decode(val)).encode(); // force merged them
            b.put(ColumnFamily.NODE, Keys.node(id, ver), val);
            // A node this view created is new to everyone: its entry tells them, no node change needed.
            if (!v.ownsLayer(NodeRecord.bornLayer(val))) {
                b.put(ColumnFamily.CHANGE, Keys.change(ver, seq++), Bytes.concat(new byte[] {1, 'N'}, Bytes.longs(id)));
                nodes.add(id);
            } else if (NodeRecord.nlink(val) == 0) {
                Collector.enqueueNode(b, id); // made and removed in this view: not in the change log
            }
            if (!dir && explicit) changedInPlace.add(id);
        }
    }

    /** The entries at the new version, and the change log's entry changes. */
    private void writeEntries(Map<EntryName, byte[]> dentRaw) {
        for (var en : dentRaw.entrySet()) {
            long parent = en.getKey().parent();
            byte[] name = en.getKey().name();
            b.put(ColumnFamily.DENT, Keys.dent(parent, name, ver), en.getValue());
            b.put(
                    ColumnFamily.CHANGE,
                    Keys.change(ver, seq++),
                    Bytes.concat(new byte[] {1, 'E'}, Bytes.longs(parent), name));
            entries.add(new ChangeSet.Entry(parent, name));
            changedInPlace.remove(EntryValue.decode(en.getValue()).child());
        }
    }

    /** Writes the batch with the view moved to the new version and a new layer, then the memory state. */
    private void commit(View v) {
        long newLayer = state.layers.next();
        b.put(ColumnFamily.VIEWS, v.name.getBytes(StandardCharsets.UTF_8), v.encodeAt(ver, newLayer, 0, new long[0]));
        state.faults.reached(FaultPoint.PUBLISH_BEFORE_BATCH);
        // Not synced: publish is visibility, flush is durability (SPEC). The batch is in the WAL, so a
        // killed process keeps it; syncing here would also wait for every unsynced byte the view wrote,
        // making publish cost grow with file sizes.
        try {
            state.store.write(b, false);
        } finally {
            if (v.pending != null) v.pending.clear();
        }
        state.faults.reached(FaultPoint.PUBLISH_AFTER_BATCH);
        state.head(ver);
        v.snapshot = ver;
        v.layer = newLayer;
        v.checkpoints = List.of();
        v.heldLayers = new long[0];
        v.pendingBytes = 0;
        v.changes = 0;
    }

    /** What each view may have cached that this publish changed, the publisher's own included. */
    private Map<String, ChangeSet> visibleChanges(View v, long oldSnapshot) {
        ChangeSet mine = new ChangeSet(nodes, entries);
        Map<String, ChangeSet> visible = new HashMap<>();
        if (v.isolation == Isolation.SNAPSHOT && oldSnapshot < ver - 1) {
            visible.put(v.name, versions.changesBetween(oldSnapshot, ver - 1));
        }
        for (View o : state.views.values()) {
            if (o != v && o.isolation == Isolation.READ_COMMITTED) visible.put(o.name, mine);
        }
        visible.put(EngineConstants.PUBLISHED_VIEW, mine);
        return visible;
    }

    /**
     * A pending delta up to this many records is cleared record by record, a larger one by three range
     * deletes. Range deletes cost every later read: each RocksDB get and each new iterator consults the
     * range tombstones of the memtable and of every file that still holds them (until compaction drops
     * them), so with one publish per few operations (the shared default) reads slowed with every publish
     * made before (measured: 241 publishes/s at the start, 22/s after 10,000). Point deletes of a small
     * delta cost about what its records did; the tombstones they leave in the view's key range, which
     * the next publish's scan of that range steps over, are compacted away in the background
     * ({@link BackgroundCollection#pendingDeleted}).
     */
    static final int POINT_DELETE_LIMIT = 4096;

    private record PendingKey(ColumnFamily cf, byte[] key) {}

    /** The store keys of the view's pending delta (as scanned, before a forced merge changes the maps), or null when it is large. */
    private static List<PendingKey> pendingKeys(
            View v, Map<ByteBuffer, Long> keys, Map<Long, byte[]> raw, Map<EntryName, byte[]> dentRaw) {
        if (keys.size() + raw.size() + dentRaw.size() > POINT_DELETE_LIMIT) return null;
        List<PendingKey> out = new ArrayList<>(keys.size() + raw.size() + dentRaw.size());
        for (long id : raw.keySet()) out.add(new PendingKey(ColumnFamily.P_NODE, Keys.pNode(v.id, id)));
        for (EntryName l : dentRaw.keySet())
            out.add(new PendingKey(ColumnFamily.P_DENT, Keys.pDent(v.id, l.parent(), l.name())));
        for (ByteBuffer k : keys.keySet()) out.add(new PendingKey(ColumnFamily.P_KEY, Keys.pKey(v.id, k.array())));
        return out;
    }

    private void clearPending(Batch b, View v, List<PendingKey> pendingKeys) {
        if (pendingKeys == null) {
            for (ColumnFamily cf : new ColumnFamily[] {ColumnFamily.P_NODE, ColumnFamily.P_DENT, ColumnFamily.P_KEY})
                b.deleteRange(cf, Bytes.longs(v.id), Bytes.longs(v.id + 1));
            return;
        }
        for (PendingKey k : pendingKeys) b.delete(k.cf(), k.key());
        background.pendingDeleted(v, pendingKeys.size());
    }

    /**
     * The paths where the view's pending changes conflict with what was published since their bases: what
     * a publish without force would refuse with (refresh refuses with the same list). Caller holds the
     * publish lock and the view's write lock.
     */
    public List<String> conflicts(View v) {
        return conflicts(tree.readCtx(v), conflictKeys(v), new SameFinalEntries(parts), null);
    }

    /**
     * Where the view ended with the same entry as head (SameFinalEntries), head's stays: the view's entry
     * is not written, nor its conflict key, and the view's own node there, left without a name, is
     * written with none (collected as any removed file is).
     */
    private static void keepPublishedWhereAlike(
            SameFinalEntries same, Map<ByteBuffer, Long> keys, Map<Long, byte[]> raw, Map<EntryName, byte[]> dentRaw) {
        for (EntryName l : same.alikeEntries()) {
            byte[] mine = dentRaw.remove(l);
            keys.remove(ByteBuffer.wrap(Keys.conflictKeyE(l.parent(), l.name())));
            long child = mine == null ? 0 : EntryValue.decode(mine).child();
            byte[] record = child == 0 ? null : raw.get(child);
            if (record == null) continue;
            NodeRecord r = NodeRecord.decode(record);
            r.links.removeIf(n -> n.parent() == l.parent() && Arrays.equals(n.name(), l.name()));
            r.nlink = r.links.size();
            raw.put(child, r.encode());
        }
    }

    /** The view's conflict keys, each with the published version it was based on when first written. */
    private Map<ByteBuffer, Long> conflictKeys(View v) {
        Map<ByteBuffer, Long> keys = new LinkedHashMap<>();
        try (KvIterator it = state.store.scan(ColumnFamily.P_KEY, Bytes.longs(v.id))) {
            for (; it.valid(); it.next()) {
                byte[] k = it.key();
                keys.put(ByteBuffer.wrap(Arrays.copyOfRange(k, 8, k.length)), Bytes.getLong(it.value(), 0));
            }
        }
        return keys;
    }

    /**
     * Replaces the view's pending records and entries (raw, dentRaw) by what a forced publish writes
     * (ForceMerge) and adds conflict keys for the records and entries of others it changes, so that a
     * view that read them before conflicts with this publish. Returns the report, noted beforehand.
     */
    private ForceReport forceMerge(
            View v, Map<ByteBuffer, Long> keys, Map<Long, byte[]> raw, Map<EntryName, byte[]> dentRaw) {
        Map<Long, NodeRecord> records = new LinkedHashMap<>();
        for (var en : raw.entrySet()) records.put(en.getKey(), NodeRecord.decode(en.getValue()));
        Map<EntryName, EntryValue> dents = new LinkedHashMap<>();
        for (var en : dentRaw.entrySet()) dents.put(en.getKey(), EntryValue.decode(en.getValue()));
        dropUndone(v, keys, records, dents);
        ForceReport report = ForceReport.before(parts, v, dents);
        ForceMerge m = new ForceMerge(parts, v, records, dents);
        m.run();
        for (long id : m.extraNodes()) keys.putIfAbsent(ByteBuffer.wrap(Keys.conflictKey('N', id)), v.snapshot);
        for (EntryName l : m.extraLinks()) {
            keys.putIfAbsent(ByteBuffer.wrap(Keys.conflictKeyE(l.parent(), l.name())), v.snapshot);
            keys.putIfAbsent(ByteBuffer.wrap(Keys.conflictKey('C', l.parent())), v.snapshot);
        }
        for (long id : m.unchanged()) {
            records.remove(id);
            keys.remove(ByteBuffer.wrap(Keys.conflictKey('N', id)));
            keys.remove(ByteBuffer.wrap(Keys.conflictKey('R', id)));
        }
        for (long id : m.keptInPlace()) keys.remove(ByteBuffer.wrap(Keys.conflictKey('R', id)));
        for (EntryName l : m.unchangedEntries()) {
            dents.remove(l);
            keys.remove(
                    ByteBuffer.wrap(Keys.conflictKeyE(l.parent(), l.name()))); // the directory's 'C' key may be others'
        }
        raw.clear();
        for (var en : records.entrySet()) raw.put(en.getKey(), en.getValue().encode());
        dentRaw.clear();
        for (var en : dents.entrySet()) dentRaw.put(en.getKey(), en.getValue().encode());
        return report;
    }

    /**
     * Rule 5 of docs/publish-force.md applied to the view's own delta before the merge: an entry that
     * names what the snapshot named there, and a file whose record differs from the snapshot's only in
     * access/change times, are changes made and undone (a file moved away and back). They are not the
     * view's version of anything, so they must not win over what others published there: a name another
     * view removed meanwhile would otherwise come back pointing at a node whose record has no name.
     */
    private void dropUndone(
            View v, Map<ByteBuffer, Long> keys, Map<Long, NodeRecord> records, Map<EntryName, EntryValue> dents) {
        for (var it = dents.entrySet().iterator(); it.hasNext(); ) {
            var en = it.next();
            EntryName l = en.getKey();
            EntryValue was = versions.dent(l.parent(), l.name(), v.snapshot);
            EntryValue now = en.getValue();
            if (was.child() != now.child() || (now.child() != 0 && was.type() != now.type())) continue;
            it.remove();
            keys.remove(ByteBuffer.wrap(Keys.conflictKeyE(l.parent(), l.name())));
        }
        for (var it = records.entrySet().iterator(); it.hasNext(); ) {
            var en = it.next();
            NodeRecord now = en.getValue();
            NodeRecord was = versions.node(en.getKey(), v.snapshot);
            if (was == null
                    || now.isDir()
                    || !ForceState.sameContent(was, now)
                    || was.nlink != now.nlink
                    || !ForceState.sameLinks(was.links, now.links)) {
                continue;
            }
            it.remove();
            keys.remove(ByteBuffer.wrap(Keys.conflictKey('N', en.getKey())));
            keys.remove(ByteBuffer.wrap(Keys.conflictKey('R', en.getKey())));
        }
    }

    /** A directory changed only as a side effect (entries added or removed): keep what others published. */
    private NodeRecord mergeImplicit(long id, NodeRecord pending) {
        NodeRecord headRec = versions.node(id, state.head());
        if (headRec == null || headRec.nlink == 0 || !headRec.isDir()) return pending;
        headRec.mtime = Math.max(headRec.mtime, pending.mtime);
        headRec.ctime = Math.max(headRec.ctime, pending.ctime);
        return headRec;
    }

    /**
     * Conflict keys published after the oldest base among the view's keys, newest version per key: the
     * check costs the changes published since the view began, not the size of the view's delta.
     */
    private Map<ByteBuffer, Long> publishedSince(long version) {
        Map<ByteBuffer, Long> since = new HashMap<>();
        try (KvIterator it = state.store.scan(ColumnFamily.CONFLICT, Bytes.longs(version + 1), new byte[0])) {
            for (; it.valid(); it.next()) {
                byte[] k = it.key();
                since.merge(ByteBuffer.wrap(Arrays.copyOfRange(k, 8, k.length)), Bytes.getLong(k, 0), Math::max);
            }
        }
        return since;
    }

    private List<String> conflicts(
            ViewOperation c, Map<ByteBuffer, Long> keys, SameFinalEntries same, ByteRangeMerge bytes) {
        TreeSet<String> out = new TreeSet<>();
        if (keys.isEmpty()) return List.of();
        long oldest = Long.MAX_VALUE;
        for (long base : keys.values()) oldest = Math.min(oldest, base);
        Map<ByteBuffer, Long> since = publishedSince(oldest);
        if (since.isEmpty()) return List.of();
        Map<String, Boolean> checkedDirs = new HashMap<>();
        for (var en : keys.entrySet()) {
            byte[] k = en.getKey().array();
            long base = en.getValue();
            switch (k[0]) {
                case 'E' -> {
                    long parent = Bytes.getLong(k, 1);
                    byte[] name = Arrays.copyOfRange(k, 9, k.length - 1);
                    if (after(since, k, base) && !same.entry(c, parent, name)) out.add(path(c, parent, name));
                    String gone = ancestorGone(c, since, parent, base, checkedDirs);
                    if (gone != null) out.add(gone);
                }
                case 'N' -> {
                    long id = Bytes.getLong(k, 1);
                    if (after(since, k, base) && !same.record(c, id) && (bytes == null || !bytes.tryMerge(c, id, base)))
                        out.add(nodePath(c, id));
                }
                case 'R' -> {
                    long id = Bytes.getLong(k, 1);
                    if (after(since, k, base)
                            || after(since, Keys.conflictKey('C', id), base)
                            || after(since, Keys.conflictKey('N', id), base)) {
                        out.add(nodePath(c, id));
                    }
                }
                default -> {}
            }
        }
        return new ArrayList<>(out);
    }

    private static boolean after(Map<ByteBuffer, Long> since, byte[] key, long base) {
        Long v = since.get(ByteBuffer.wrap(key));
        return v != null && v > base;
    }

    /** The path of the first ancestor directory (parent included) removed or renamed after base. */
    private String ancestorGone(
            ViewOperation c, Map<ByteBuffer, Long> since, long dir, long base, Map<String, Boolean> checked) {
        long cur = dir;
        int guard = 0;
        while (cur != EngineConstants.ROOT && guard++ < 4096) {
            long d = cur;
            if (checked.computeIfAbsent(d + "@" + base, x -> after(since, Keys.conflictKey('R', d), base)))
                return nodePath(c, d);
            NodeRecord r = tree.node(c, cur);
            if (r == null || r.links.isEmpty()) return null;
            cur = r.link().parent();
        }
        return null;
    }

    /**
     * Where a conflict is, as a path from the mount root: in the view if it still has the path, else in
     * the newest published state, else where the view's snapshot had it (a path both sides removed).
     */
    private List<ViewOperation> places(ViewOperation c) {
        return List.of(
                c,
                new ViewOperation(state.published, state.head()),
                new ViewOperation(state.published, c.view.snapshot));
    }

    private String path(ViewOperation c, long parent, byte[] name) {
        String n = NameRules.utf8(name);
        for (ViewOperation at : places(c)) {
            String p = tree.pathOf(at, parent);
            if (p != null) return "/" + (p.isEmpty() ? n : p + "/" + n);
        }
        return ".../" + n; // the directory is in none of them: only its name is known
    }

    private String nodePath(ViewOperation c, long id) {
        for (ViewOperation at : places(c)) {
            String p = tree.pathOf(at, id);
            if (p != null) return "/" + p;
        }
        return "node " + id;
    }
}
