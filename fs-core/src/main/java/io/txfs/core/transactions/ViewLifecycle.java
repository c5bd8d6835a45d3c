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
import io.txfs.core.store.ColumnFamily;
import io.txfs.core.store.StoreException;
import io.txfs.core.tree.CheckpointRows;
import io.txfs.core.tree.EngineParts;
import io.txfs.core.tree.EngineState;
import io.txfs.core.tree.OwnChunks;
import io.txfs.core.tree.OwnLayerSpace;
import io.txfs.core.tree.PendingCache;
import io.txfs.core.tree.PublishedVersions;
import io.txfs.core.tree.View;
import io.txfs.core.tree.ViewOptions;
import io.txfs.sys.Errno;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

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

    static void checkViewName(String name) {
        if (name.isEmpty()
                || name.length() > 200
                || name.contains("/")
                || name.indexOf('\0') >= 0
                || name.startsWith("@")) {
            throw new FsException(Errno.EINVAL, "bad view name '" + name + "'");
        }
    }

    public ChangeSet abort(View v) {
        return tx.changingView(v, () -> dropPending(v, false));
    }

    public ChangeSet discard(View v) {
        return tx.changingView(v, () -> dropPending(v, true));
    }

    public ChangeSet discardIfUnchanged(View v) {
        return tx.changingView(
                v,
                () -> v.discarded
                                || !state.children(v).isEmpty()
                                || !pendingDelta(v).isEmpty()
                        ? null
                        : dropPending(v, true));
    }

    private ChangeSet dropPending(View v, boolean remove) {
        // its children's records name its layers and read its state: they go first, whole
        for (View child : state.children(v)) {
            child.lock.writeLock().lock();
            try {
                dropPending(child, true);
            } finally {
                child.lock.writeLock().unlock();
            }
        }
        long dropped = v.pendingBytes;
        Batch b = new Batch();
        Set<Long> nodes = new HashSet<>();
        Set<ChangeSet.Entry> entries = new HashSet<>();
        // every layer of the delta goes, the checkpoints' too: their records are the rest that name them
        OwnChunks own = new OwnChunks(v.ownLayers());
        for (var cp : v.checkpoints) own.ofRecords(state.store, cp.id(), null);
        own.ofRecords(state.store, v.id, nodes);
        own.deleteChunks(state.store, b);
        CheckpointRows.drop(state.store, b, v.id, v.checkpoints);
        entries.addAll(CheckpointRows.entries(state.store, v.id));
        CheckpointRows.delete(state.store, b, v.id);
        if (remove && v.isChild()) CheckpointRows.delete(state.store, b, v.baseId);
        long old = v.snapshot;
        v.layer = state.layers.next();
        v.checkpoints = List.of();
        v.heldLayers = new long[0];
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
        own.deleteDataFiles(state.chunkData); // after the batch: a crash before leaves them to the sweep
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
            state.refuseWithChildren(v, "refresh");
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
