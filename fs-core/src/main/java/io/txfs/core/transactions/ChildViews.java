package io.txfs.core.transactions;

import io.txfs.core.collection.BackgroundCollection;
import io.txfs.core.format.NodeRecord;
import io.txfs.core.model.ChangeSet;
import io.txfs.core.model.FsException;
import io.txfs.core.model.Isolation;
import io.txfs.core.model.PublishConflictException;
import io.txfs.core.model.PublishResult;
import io.txfs.core.model.RefreshConflictException;
import io.txfs.core.store.Batch;
import io.txfs.core.store.Bytes;
import io.txfs.core.store.ColumnFamily;
import io.txfs.core.store.KvIterator;
import io.txfs.core.store.StoreException;
import io.txfs.core.tree.CheckpointRows;
import io.txfs.core.tree.EngineParts;
import io.txfs.core.tree.EngineState;
import io.txfs.core.tree.OwnChunks;
import io.txfs.core.tree.PendingCache;
import io.txfs.core.tree.View;
import io.txfs.core.tree.ViewOperation;
import io.txfs.core.tree.ViewOptions;
import io.txfs.sys.Errno;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Views begun inside a view (docs/views.md, "Nested views"). A child starts as a copy of its parent's pending
 * rows (flattened: its reads never look further than its own rows and the published state, at any depth) and
 * a second copy, its base, kept to tell later what each side changed. The parent's layer is frozen at the fork
 * (it goes on in a fresh one), so the chunks the child's copied records name never change under it.
 *
 * <p>A child's publish merges into the parent: every row the child changed since the fork is written into the
 * parent's rows unless the parent changed the same row since the fork too (a conflict, EBUSY with the paths,
 * nothing changed: first committer wins between siblings, as between views publishing). A directory both
 * changed only as a side effect (entries added or removed inside it) is merged. The parent then owns the
 * child's layers, and the child goes on from the parent's new state (a fresh fork).
 *
 * <p>Locks: the publish lock, then the parent's write lock, then the child's (docs/concurrency.md).
 */
public final class ChildViews {
    /** Deeper nesting is refused: each level copies its parent's rows at its fork. */
    public static final int MAX_DEPTH = 32;

    private final EngineParts parts;
    private final EngineState state;
    private final ViewTransactions tx;
    private final BackgroundCollection background;

    public ChildViews(EngineParts parts, ViewTransactions tx, BackgroundCollection background) {
        this.parts = parts;
        this.state = parts.state();
        this.tx = tx;
        this.background = background;
    }

    /** Begins child view {@code name} on {@code parent}'s state now. */
    public View create(String name, View parent, int ownerUid, ViewOptions options) {
        ViewLifecycle.checkViewName(name);
        return underBoth(parent, null, () -> {
            if (state.views.containsKey(name)) throw new FsException(Errno.EEXIST, "view " + name + " exists");
            int depth = 1;
            for (View p = parent; p.isChild(); p = parentOf(p)) depth++;
            if (depth > MAX_DEPTH)
                throw new FsException(Errno.EMLINK, "views nest at most " + MAX_DEPTH + " deep (" + parent + ")");
            View child = new View(
                    name,
                    state.viewIds.next(),
                    Isolation.SNAPSHOT,
                    ownerUid,
                    state.clock.nowNanos(),
                    parts.tree().readCtx(parent).snap,
                    state.layers.next(),
                    0,
                    options,
                    parent.id);
            child.baseId = state.viewIds.next();
            child.pending = new PendingCache();
            Batch b = new Batch();
            CheckpointRows.copy(state.store, b, parent.id, child.id);
            CheckpointRows.copy(state.store, b, parent.id, child.baseId);
            b.put(ColumnFamily.VIEWS, key(child), child.encode());
            Frozen frozen = freeze(b, parent, parent.ownLayers(), parent.pendingBytes);
            state.store.write(b, false);
            frozen.apply(parent);
            state.views.put(name, child);
            return child;
        });
    }

    /** The view {@code child} publishes into; ENOENT if it is gone (never while the child lives). */
    public View parentOf(View child) {
        View p = state.viewById(child.parentId);
        if (p == null) throw new FsException(Errno.ENOENT, "the parent of " + child + " is gone");
        return p;
    }

    /** Merges the child's changes into its parent; the child goes on from the parent's new state. */
    public PublishResult publish(View child) {
        View parent = parentOf(child);
        return underBoth(parent, child, () -> {
            state.refuseWithChildren(child, "publish");
            long paths =
                    tx.readOnce(child, c -> new DeltaBuilder(parts, c).build()).size();
            long bytes = child.pendingBytes;
            Merge m = merge(parent, child);
            if (!m.conflicts.isEmpty()) throw new PublishConflictException(child.name, m.conflicts);
            Batch b = new Batch();
            m.writeInto(b, parent.id);
            long[] held = union(parent.ownLayers(), child.ownLayers());
            Frozen frozen = freeze(b, parent, held, parent.pendingBytes + bytes);
            Forked forked = refork(b, child, m.parentAfter, m.parentAfter);
            state.store.write(b, false);
            frozen.apply(parent);
            parent.changes++;
            if (parent.pending != null) parent.pending.clear();
            forked.apply(child, new long[0], 0);
            state.dirLinks.changed();
            Map<String, ChangeSet> visible = new LinkedHashMap<>();
            visible.put(parent.name, m.childChanged.changes());
            visible.put(child.name, m.parentChanged.changes());
            return new PublishResult(child.name, state.head(), paths, bytes, visible, List.of(), List.of());
        });
    }

    /** Rebases the child onto its parent's state now, its changes on top; refused with the conflicting paths. */
    public ChangeSet refresh(View child) {
        View parent = parentOf(child);
        return underBoth(parent, child, () -> {
            Merge m = merge(parent, child);
            if (!m.conflicts.isEmpty()) throw new RefreshConflictException(child.name, m.conflicts);
            Batch b = new Batch();
            // its checkpoints are states over the old fork: a rollback to one would undo the rebase halfway
            Forked forked = refork(b, child, m.childAfter, m.parentNow);
            Frozen frozen = freeze(b, parent, parent.ownLayers(), parent.pendingBytes);
            state.store.write(b, false);
            frozen.apply(parent);
            forked.apply(child, child.ownLayers(), child.pendingBytes);
            child.changes = Math.max(1, child.changes);
            return m.parentChanged.changes();
        });
    }

    /** Drops the child's own changes; it goes on, empty, from its parent's state now. */
    public ChangeSet abort(View child) {
        View parent = parentOf(child);
        return underBoth(parent, child, () -> {
            state.refuseWithChildren(child, "abort that keeps the view");
            Rows mine = Rows.read(state, child.id);
            Rows base = Rows.read(state, child.baseId);
            Rows now = Rows.read(state, parent.id);
            Batch b = new Batch();
            OwnChunks own = new OwnChunks(child.ownLayers());
            own.ofRecords(state.store, child.id, null);
            for (var cp : child.checkpoints) own.ofRecords(state.store, cp.id(), null);
            long freed = own.deleteChunks(state.store, b);
            Forked forked = refork(b, child, now, now);
            Frozen frozen = freeze(b, parent, parent.ownLayers(), parent.pendingBytes);
            state.store.write(b, false);
            frozen.apply(parent);
            forked.apply(child, new long[0], 0);
            own.deleteDataFiles(state.chunkData);
            background.reclaimed(freed, "an abort");
            state.dirLinks.changed();
            Changed changed = new Changed();
            changed.addDifferences(mine, base);
            changed.addDifferences(now, base);
            return changed.changes();
        });
    }

    // ---------------------------------------------------------------- the rows of a view, in memory

    /** Pending rows of one id, keyed by the key without its 8-byte id. */
    record Rows(Map<ByteBuffer, byte[]> node, Map<ByteBuffer, byte[]> dent, Map<ByteBuffer, byte[]> key) {
        static Rows read(EngineState state, long id) {
            return new Rows(
                    scan(state, ColumnFamily.P_NODE, id),
                    scan(state, ColumnFamily.P_DENT, id),
                    scan(state, ColumnFamily.P_KEY, id));
        }

        private static Map<ByteBuffer, byte[]> scan(EngineState state, ColumnFamily cf, long id) {
            Map<ByteBuffer, byte[]> out = new LinkedHashMap<>();
            try (KvIterator it = state.store.scan(cf, Bytes.longs(id))) {
                for (; it.valid(); it.next()) {
                    byte[] k = it.key();
                    out.put(ByteBuffer.wrap(Arrays.copyOfRange(k, 8, k.length)), it.value());
                }
            }
            return out;
        }

        Rows copy() {
            return new Rows(new LinkedHashMap<>(node), new LinkedHashMap<>(dent), new LinkedHashMap<>(key));
        }

        /** Puts every row under {@code id}. */
        void putAll(Batch b, long id) {
            put(b, ColumnFamily.P_NODE, id, node);
            put(b, ColumnFamily.P_DENT, id, dent);
            put(b, ColumnFamily.P_KEY, id, key);
        }

        private static void put(Batch b, ColumnFamily cf, long id, Map<ByteBuffer, byte[]> rows) {
            for (var en : rows.entrySet())
                b.put(cf, Bytes.concat(Bytes.longs(id), en.getKey().array()), en.getValue());
        }
    }

    /** Nodes and entries whose rows differ, for the kernel's caches. */
    private static final class Changed {
        final Set<Long> nodes = new LinkedHashSet<>();
        final Set<ChangeSet.Entry> entries = new LinkedHashSet<>();

        void node(ByteBuffer suffix) {
            nodes.add(suffix.getLong(0));
        }

        void entry(ByteBuffer suffix) {
            byte[] k = suffix.array();
            entries.add(new ChangeSet.Entry(Bytes.getLong(k, 0), Arrays.copyOfRange(k, 8, k.length)));
        }

        void addDifferences(Rows a, Rows b) {
            for (ByteBuffer k : union(a.node.keySet(), b.node.keySet()))
                if (!Arrays.equals(a.node.get(k), b.node.get(k))) node(k);
            for (ByteBuffer k : union(a.dent.keySet(), b.dent.keySet()))
                if (!Arrays.equals(a.dent.get(k), b.dent.get(k))) entry(k);
        }

        ChangeSet changes() {
            return new ChangeSet(new HashSet<>(nodes), new HashSet<>(entries));
        }
    }

    /**
     * The three-way merge of a child into its parent: what each changed since the fork (base), the rows both
     * changed differently (conflicts, as paths), the parent's rows with the child's changes applied, and the
     * child's rows rebased onto the parent's (the same rows: a child's rows are the parent's plus its own).
     */
    private final class Merge {
        final Rows parentNow;
        final Rows parentAfter;
        final Rows childAfter;
        final Changed childChanged = new Changed();
        final Changed parentChanged = new Changed();
        final List<String> conflicts = new ArrayList<>();
        private final Map<ByteBuffer, byte[]> writes = new LinkedHashMap<>();
        private final Map<ByteBuffer, byte[]> entryWrites = new LinkedHashMap<>();
        private final Map<ByteBuffer, byte[]> keyWrites = new LinkedHashMap<>();

        Merge(View parent, View child) {
            Rows base = Rows.read(state, child.baseId);
            Rows mine = Rows.read(state, child.id);
            parentNow = Rows.read(state, parent.id);
            parentChanged.addDifferences(parentNow, base);
            ViewOperation childCtx = parts.tree().readCtx(child);
            for (ByteBuffer k : union(mine.node.keySet(), base.node.keySet())) {
                byte[] c = mine.node.get(k);
                byte[] b = base.node.get(k);
                if (Arrays.equals(c, b)) continue;
                childChanged.node(k);
                byte[] p = parentNow.node.get(k);
                if (Arrays.equals(p, b)) writes.put(k, c);
                else if (Arrays.equals(p, c)) continue;
                else {
                    // a row neither had at the fork is the published record at the child's snapshot
                    NodeRecord published = parts.versions().node(k.getLong(0), child.snapshot);
                    byte[] was = published == null ? null : published.encode();
                    byte[] merged = mergeDirectory(b != null ? b : was, p != null ? p : was, c != null ? c : was);
                    if (merged != null) writes.put(k, merged);
                    else conflicts.add(path(childCtx, k.getLong(0)));
                }
            }
            for (ByteBuffer k : union(mine.dent.keySet(), base.dent.keySet())) {
                byte[] c = mine.dent.get(k);
                byte[] b = base.dent.get(k);
                if (Arrays.equals(c, b)) continue;
                childChanged.entry(k);
                byte[] p = parentNow.dent.get(k);
                if (Arrays.equals(p, b)) entryWrites.put(k, c);
                else if (!Arrays.equals(p, c)) {
                    String dir = path(childCtx, k.getLong(0));
                    String name = new String(k.array(), 8, k.array().length - 8, StandardCharsets.UTF_8);
                    conflicts.add(dir.equals("/") ? "/" + name : dir + "/" + name);
                }
            }
            for (var en : mine.key.entrySet())
                if (!parentNow.key.containsKey(en.getKey())) keyWrites.put(en.getKey(), en.getValue());
            conflicts.sort(null);
            parentAfter = applied(parentNow);
            childAfter = parentAfter;
        }

        private Rows applied(Rows to) {
            Rows out = to.copy();
            apply(out.node, writes);
            apply(out.dent, entryWrites);
            out.key.putAll(keyWrites);
            return out;
        }

        private static void apply(Map<ByteBuffer, byte[]> rows, Map<ByteBuffer, byte[]> changes) {
            for (var en : changes.entrySet()) {
                if (en.getValue() == null) rows.remove(en.getKey());
                else rows.put(en.getKey(), en.getValue());
            }
        }

        /** Writes the child's changes into the rows of {@code id}. */
        void writeInto(Batch b, long id) {
            write(b, ColumnFamily.P_NODE, id, writes);
            write(b, ColumnFamily.P_DENT, id, entryWrites);
            write(b, ColumnFamily.P_KEY, id, keyWrites);
        }

        private static void write(Batch b, ColumnFamily cf, long id, Map<ByteBuffer, byte[]> changes) {
            for (var en : changes.entrySet()) {
                byte[] key = Bytes.concat(Bytes.longs(id), en.getKey().array());
                if (en.getValue() == null) b.delete(cf, key);
                else b.put(cf, key, en.getValue());
            }
        }
    }

    private Merge merge(View parent, View child) {
        return new Merge(parent, child);
    }

    /**
     * A directory both sides changed, where at most one changed it explicitly (mode, owner, xattrs, its name):
     * the other only added or removed entries in it, which the entries' own rows carry. The explicit side's
     * record (else the parent's) with the later times of the two; null when both changed it explicitly.
     */
    private static byte[] mergeDirectory(byte[] base, byte[] parent, byte[] child) {
        if (base == null || parent == null || child == null) return null;
        NodeRecord b = NodeRecord.decode(base);
        NodeRecord p = NodeRecord.decode(parent);
        NodeRecord c = NodeRecord.decode(child);
        if (!b.isDir() || !p.isDir() || !c.isDir()) return null;
        boolean parentExplicit = explicitlyDiffers(b, p);
        boolean childExplicit = explicitlyDiffers(b, c);
        if (parentExplicit && childExplicit) return null;
        NodeRecord out = (childExplicit ? c : p).copy();
        NodeRecord other = childExplicit ? p : c;
        out.mtime = Math.max(out.mtime, other.mtime);
        out.ctime = Math.max(out.ctime, other.ctime);
        out.atime = Math.max(out.atime, other.atime);
        return out.encode();
    }

    private static boolean explicitlyDiffers(NodeRecord a, NodeRecord b) {
        if (a.perm != b.perm || a.uid != b.uid || a.gid != b.gid || a.nlink == 0 != (b.nlink == 0)) return true;
        if (!a.links.equals(b.links)) return true;
        if (!a.xattrs.keySet().equals(b.xattrs.keySet())) return true;
        for (var x : a.xattrs.entrySet()) if (!Arrays.equals(x.getValue(), b.xattrs.get(x.getKey()))) return true;
        return false;
    }

    private String path(ViewOperation c, long ino) {
        String p = parts.tree().pathOf(c, ino);
        return p == null ? "(node " + ino + ")" : "/" + p;
    }

    // ---------------------------------------------------------------- forks

    /** The parent's record with its layer frozen; applied to the handle once the batch is in. */
    private record Frozen(long layer, long[] held, long pendingBytes) {
        void apply(View parent) {
            parent.heldLayers = held;
            parent.pendingBytes = pendingBytes;
            parent.layer = layer;
        }
    }

    /**
     * The parent goes on in a fresh layer, holding {@code held} (its layers so far, and any a merged child
     * brings): the chunks a child's rows name must not change under it.
     */
    private Frozen freeze(Batch b, View parent, long[] held, long pendingBytes) {
        long layer = state.layers.next();
        b.put(ColumnFamily.VIEWS, key(parent), parent.encodeAt(parent.snapshot, layer, pendingBytes, held));
        return new Frozen(layer, held, pendingBytes);
    }

    /** The child's rows replaced by {@code rows} and its base by {@code base}; its checkpoints dropped. */
    private record Forked(long layer, long snapshot) {
        void apply(View child, long[] held, long pendingBytes) {
            child.checkpoints = List.of();
            child.heldLayers = held;
            child.layer = layer;
            child.pendingBytes = pendingBytes;
            child.snapshot = snapshot;
            if (held.length == 0 && pendingBytes == 0) child.changes = 0;
            if (child.pending != null) child.pending.clear();
        }
    }

    private Forked refork(Batch b, View child, Rows rows, Rows base) {
        CheckpointRows.drop(state.store, b, child.id, child.checkpoints);
        CheckpointRows.delete(state.store, b, child.id);
        CheckpointRows.delete(state.store, b, child.baseId);
        rows.putAll(b, child.id);
        base.putAll(b, child.baseId);
        long layer = state.layers.next();
        View parent = parentOf(child);
        long snapshot = parts.tree().readCtx(parent).snap;
        boolean keepsOwn = rows != base;
        b.put(
                ColumnFamily.VIEWS,
                key(child),
                child.encodeAt(
                        snapshot,
                        layer,
                        keepsOwn ? child.pendingBytes : 0,
                        keepsOwn ? child.ownLayers() : new long[0]));
        return new Forked(layer, snapshot);
    }

    // ---------------------------------------------------------------- helpers

    private static byte[] key(View v) {
        return v.name.getBytes(StandardCharsets.UTF_8);
    }

    private static <T> Set<T> union(Set<T> a, Set<T> b) {
        Set<T> out = new LinkedHashSet<>(a);
        out.addAll(b);
        return out;
    }

    private static long[] union(long[] a, long[] b) {
        Set<Long> out = new LinkedHashSet<>();
        for (long l : a) out.add(l);
        for (long l : b) out.add(l);
        return out.stream().mapToLong(Long::longValue).toArray();
    }

    /** Runs f holding the publish lock, the parent's write lock and (if given) the child's, in that order. */
    private <T> T underBoth(View parent, View child, Supplier<T> f) {
        ViewTransactions.requireWritable(parent);
        tx.refuseGroupView(parent);
        state.publishLock.lock();
        parent.lock.writeLock().lock();
        if (child != null) child.lock.writeLock().lock();
        try {
            state.checkOpen();
            if (parent.discarded) throw new FsException(Errno.ENOENT, "view " + parent.name + " was discarded");
            if (child != null && child.discarded)
                throw new FsException(Errno.ENOENT, "view " + child.name + " was discarded");
            return f.get();
        } catch (StoreException e) {
            throw EngineState.storeError(e);
        } finally {
            if (child != null) child.lock.writeLock().unlock();
            parent.lock.writeLock().unlock();
            state.publishLock.unlock();
        }
    }
}
