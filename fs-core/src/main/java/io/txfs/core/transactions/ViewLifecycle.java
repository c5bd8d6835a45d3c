package io.txfs.core.transactions;

import io.txfs.core.collection.BackgroundCollection;
import io.txfs.core.format.Keys;
import io.txfs.core.format.NodeRecord;
import io.txfs.core.model.ChangeSet;
import io.txfs.core.model.DeltaEntry;
import io.txfs.core.model.FsException;
import io.txfs.core.model.Isolation;
import io.txfs.core.model.RefreshConflictException;
import io.txfs.core.model.ViewInfo;
import io.txfs.core.publish.Publisher;
import io.txfs.core.store.Batch;
import io.txfs.core.store.Bytes;
import io.txfs.core.store.ColumnFamily;
import io.txfs.core.store.KvIterator;
import io.txfs.core.store.StoreException;
import io.txfs.core.tree.EngineParts;
import io.txfs.core.tree.EngineState;
import io.txfs.core.tree.OwnLayerSpace;
import io.txfs.core.tree.PendingCache;
import io.txfs.core.tree.PublishedVersions;
import io.txfs.core.tree.View;
import io.txfs.core.tree.ViewOptions;
import io.txfs.sys.Errno;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * A view's life apart from its operations: creation, abort (its pending delta dropped, the view going on
 * from the newest published state), discard (the view removed), and refresh (rebased onto the newest
 * published state). The Engine's methods of those names document each (docs/views.md).
 */
public final class ViewLifecycle {
    private final EngineParts parts;
    private final EngineState state;
    private final PublishedVersions versions;
    private final ViewTransactions tx;
    private final BackgroundCollection background;

    public ViewLifecycle(EngineParts parts, ViewTransactions tx, BackgroundCollection background) {
        this.parts = parts;
        this.state = parts.state();
        this.versions = parts.versions();
        this.tx = tx;
        this.background = background;
    }

    /** Every view, by name. */
    public List<ViewInfo> list() {
        List<ViewInfo> out = new ArrayList<>();
        for (View v : state.views.values()) out.add(v.info());
        out.sort(Comparator.comparing(ViewInfo::name));
        return out;
    }

    /** See Engine#forgotten: a removed node's own-layer chunks go once the kernel forgot it. */
    public long forgotten(View v, long ino) {
        if (v.id == 0 || v.discarded || state.closed()) return 0;
        try {
            byte[] p = state.store.get(ColumnFamily.P_NODE, Keys.pNode(v.id, ino));
            if (p == null || !OwnLayerSpace.removedWithOwnChunks(NodeRecord.decode(p), v.layer)) return 0;
            long freed = tx.mutate(v, c -> OwnLayerSpace.reclaimRemoved(parts, c, ino));
            background.reclaimed(freed, "removed files");
            return freed;
        } catch (StoreException e) {
            throw EngineState.storeError(e);
        }
    }

    public View create(String name, Isolation isolation, int ownerUid, ViewOptions options) {
        checkViewName(name);
        tx.observeGroup(null); // a new view begins on a state that holds every operation that returned
        state.publishLock.lock();
        try {
            state.checkOpen();
            if (state.views.containsKey(name)) throw new FsException(Errno.EEXIST, "view " + name + " exists");
            View v = new View(
                    name,
                    state.viewIds.next(),
                    isolation,
                    ownerUid,
                    state.clock.nowNanos(),
                    state.head(),
                    state.layers.next(),
                    0,
                    options);
            v.pending = new PendingCache();
            state.store.write(
                    new Batch().put(ColumnFamily.VIEWS, name.getBytes(StandardCharsets.UTF_8), v.encode()), false);
            state.views.put(name, v);
            return v;
        } finally {
            state.publishLock.unlock();
        }
    }

    private static void checkViewName(String name) {
        if (name.isEmpty()
                || name.length() > 200
                || name.contains("/")
                || name.indexOf('\0') >= 0
                || name.startsWith("@")) {
            throw new FsException(Errno.EINVAL, "bad view name '" + name + "'");
        }
    }

    public ChangeSet abort(View v) {
        return changingView(v, () -> dropPending(v, false));
    }

    public ChangeSet discard(View v) {
        return changingView(v, () -> dropPending(v, true));
    }

    public ChangeSet discardIfUnchanged(View v) {
        return changingView(v, () -> v.discarded || !pendingDelta(v).isEmpty() ? null : dropPending(v, true));
    }

    /** Runs f on a view that may change, holding the publish lock and the view's write lock (in that order). */
    private <T> T changingView(View v, Supplier<T> f) {
        ViewTransactions.requireWritable(v);
        tx.refuseGroupView(v);
        state.publishLock.lock();
        v.lock.writeLock().lock();
        try {
            state.checkOpen();
            return f.get();
        } finally {
            v.lock.writeLock().unlock();
            state.publishLock.unlock();
        }
    }

    private ChangeSet dropPending(View v, boolean remove) {
        long dropped = v.pendingBytes;
        Batch b = new Batch();
        List<Long> ownData = new ArrayList<>();
        long oldLayer = v.layer;
        Set<Long> nodes = new HashSet<>();
        Set<ChangeSet.Entry> entries = new HashSet<>();
        byte[] prefix = Bytes.longs(v.id);
        try (KvIterator it = state.store.scan(ColumnFamily.P_NODE, prefix)) {
            for (; it.valid(); it.next()) {
                long id = Bytes.getLong(it.key(), 8);
                nodes.add(id);
                NodeRecord r = NodeRecord.decode(it.value());
                if (r.chainLayer.length > 0 && r.chainLayer[0] == v.layer) {
                    OwnLayerSpace.deleteLayerChunks(state.store, b, id, v.layer, 0);
                    ownData.add(id);
                }
                b.delete(ColumnFamily.P_NODE, it.key());
            }
        }
        try (KvIterator it = state.store.scan(ColumnFamily.P_DENT, prefix)) {
            for (; it.valid(); it.next()) {
                byte[] k = it.key();
                entries.add(new ChangeSet.Entry(Bytes.getLong(k, 8), Arrays.copyOfRange(k, 16, k.length)));
                b.delete(ColumnFamily.P_DENT, k);
            }
        }
        try (KvIterator it = state.store.scan(ColumnFamily.P_KEY, prefix)) {
            for (; it.valid(); it.next()) b.delete(ColumnFamily.P_KEY, it.key());
        }
        long old = v.snapshot;
        v.layer = state.layers.next();
        v.snapshot = state.head();
        v.pendingBytes = 0;
        v.changes = 0;
        byte[] name = v.name.getBytes(StandardCharsets.UTF_8);
        if (remove) b.delete(ColumnFamily.VIEWS, name);
        else b.put(ColumnFamily.VIEWS, name, v.encode());
        try {
            state.store.write(b, false);
        } finally {
            if (v.pending != null) v.pending.clear();
        }
        for (long id : ownData)
            state.chunkData.delete(id, oldLayer); // after the batch: a crash before leaves them to the sweep
        // the layer's chunk files went just now; its first chunks (in the store) go at a compaction
        background.reclaimed(dropped, "a discard");
        if (remove) {
            v.discarded = true;
            state.views.remove(v.name);
        }
        ChangeSet newer =
                v.isolation == Isolation.SNAPSHOT ? versions.changesBetween(old, state.head()) : ChangeSet.empty();
        nodes.addAll(newer.inodes());
        entries.addAll(newer.entries());
        return new ChangeSet(nodes, entries);
    }

    public ChangeSet refresh(View v) {
        tx.observeGroup(v);
        state.publishLock.lock();
        v.lock.writeLock().lock();
        try {
            state.checkOpen();
            if (v.id != 0) {
                List<String> conflicts = new Publisher(parts, background).conflicts(v);
                if (!conflicts.isEmpty()) throw new RefreshConflictException(v.name, conflicts);
            }
            long old = v.snapshot;
            v.snapshot = state.head();
            if (v.id != 0)
                state.store.write(
                        new Batch().put(ColumnFamily.VIEWS, v.name.getBytes(StandardCharsets.UTF_8), v.encode()),
                        false);
            return v.isolation == Isolation.SNAPSHOT ? versions.changesBetween(old, state.head()) : ChangeSet.empty();
        } catch (StoreException e) {
            throw EngineState.storeError(e);
        } finally {
            v.lock.writeLock().unlock();
            state.publishLock.unlock();
        }
    }

    /** The pending delta of a view, one entry per changed path, sorted by path. */
    public List<DeltaEntry> pendingDelta(View v) {
        return tx.readOnce(v, c -> new DeltaBuilder(parts, c).build());
    }
}
