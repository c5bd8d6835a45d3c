package io.txfs.core.transactions;

import io.txfs.core.collection.BackgroundCollection;
import io.txfs.core.model.ChangeSet;
import io.txfs.core.model.FsException;
import io.txfs.core.store.Batch;
import io.txfs.core.store.ColumnFamily;
import io.txfs.core.tree.Checkpoint;
import io.txfs.core.tree.CheckpointRows;
import io.txfs.core.tree.EngineParts;
import io.txfs.core.tree.EngineState;
import io.txfs.core.tree.OwnChunks;
import io.txfs.core.tree.View;
import io.txfs.sys.Errno;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Named checkpoints of a view's pending delta and rollbacks to them (docs/reproducibility.md,
 * "Checkpoints"). A checkpoint copies the view's pending rows under its own id and freezes the layer the
 * view wrote so far: later writes copy a chunk up into a fresh layer before changing it, so the chunks the
 * checkpoint names never change and no file data is copied. A rollback puts the checkpoint's rows back,
 * drops every layer written after it with its chunks, and drops the checkpoints taken after it (a stack, as
 * SQL savepoints). Publish, abort and discard drop all of them.
 */
public final class ViewCheckpoints {
    /** At most this many per view: each one keeps a copy of the rows, and a listing shows them all. */
    public static final int LIMIT = 64;

    private final EngineParts parts;
    private final EngineState state;
    private final ViewTransactions tx;
    private final BackgroundCollection background;

    public ViewCheckpoints(EngineParts parts, ViewTransactions tx, BackgroundCollection background) {
        this.parts = parts;
        this.state = parts.state();
        this.tx = tx;
        this.background = background;
    }

    /** Takes checkpoint {@code name} of the view's pending delta; {@code paths} is the delta's size, for listings. */
    public Checkpoint take(View v, String name, Supplier<Integer> paths) {
        checkName(name);
        return changingView(v, () -> {
            List<Checkpoint> cps = v.checkpoints;
            if (find(cps, name) >= 0) throw new FsException(Errno.EEXIST, "checkpoint " + name + " exists in " + v);
            if (cps.size() >= LIMIT)
                throw new FsException(Errno.ENOSPC, v + " has " + LIMIT + " checkpoints, the most it may have");
            long[] held = v.ownLayers(); // the layer written so far is frozen from now on
            Checkpoint cp = new Checkpoint(
                    name, state.viewIds.next(), v.layer, v.pendingBytes, state.clock.nowNanos(), paths.get(), held);
            long layer = state.layers.next();
            Batch b = new Batch();
            CheckpointRows.copy(state.store, b, v.id, cp.id());
            b.put(ColumnFamily.CHECKPOINT, Checkpoint.key(v.id, cp.id()), cp.encode());
            b.put(
                    ColumnFamily.VIEWS,
                    v.name.getBytes(StandardCharsets.UTF_8),
                    v.encodeAt(v.snapshot, layer, v.pendingBytes, held));
            state.store.write(b, false);
            List<Checkpoint> now = new ArrayList<>(cps);
            now.add(cp);
            v.checkpoints = List.copyOf(now);
            v.heldLayers = held; // before the layer moves: the old one stays owned throughout
            v.layer = layer;
            return cp;
        });
    }

    /**
     * Puts the view's pending delta back as it was at checkpoint {@code name}; returns what the view's
     * kernel-facing side may have cached of the paths that changed since.
     */
    public ChangeSet rollback(View v, String name) {
        return changingView(v, () -> {
            List<Checkpoint> cps = v.checkpoints;
            int k = find(cps, name);
            if (k < 0) throw new FsException(Errno.ENOENT, "no checkpoint " + name + " in " + v);
            state.refuseWithChildren(v, "rollback");
            Checkpoint cp = cps.get(k);
            List<Checkpoint> later = cps.subList(k + 1, cps.size());
            Set<Long> kept = new HashSet<>();
            for (long l : cp.held()) kept.add(l);
            long[] dropped =
                    Arrays.stream(v.ownLayers()).filter(l -> !kept.contains(l)).toArray();
            Set<Long> nodes = new HashSet<>();
            Set<ChangeSet.Entry> entries = new HashSet<>();
            OwnChunks own = new OwnChunks(dropped);
            own.ofRecords(state.store, v.id, nodes);
            for (Checkpoint l : later) own.ofRecords(state.store, l.id(), null);
            entries.addAll(CheckpointRows.entries(state.store, v.id));
            entries.addAll(CheckpointRows.entries(state.store, cp.id()));
            Batch b = new Batch();
            long freed = own.deleteChunks(state.store, b);
            CheckpointRows.drop(state.store, b, v.id, later);
            CheckpointRows.delete(state.store, b, v.id);
            own.ofRecords(state.store, cp.id(), nodes); // names no dropped layer: only its ids are wanted
            CheckpointRows.copy(state.store, b, cp.id(), v.id); // after the deletes: a batch applies in order
            long layer = state.layers.next();
            b.put(
                    ColumnFamily.VIEWS,
                    v.name.getBytes(StandardCharsets.UTF_8),
                    v.encodeAt(v.snapshot, layer, cp.pendingBytes(), cp.held()));
            try {
                state.store.write(b, false);
            } finally {
                if (v.pending != null) v.pending.clear();
            }
            v.checkpoints = List.copyOf(cps.subList(0, k + 1));
            v.heldLayers = cp.held();
            v.layer = layer;
            v.pendingBytes = cp.pendingBytes();
            v.changes = cp.paths() == 0 ? 0 : Math.max(1, v.changes);
            state.dirLinks.changed();
            own.deleteDataFiles(state.chunkData); // after the batch: a crash before leaves them to the sweep
            background.reclaimed(freed, "a rollback");
            return new ChangeSet(nodes, entries);
        });
    }

    /** A read-only handle on checkpoint {@code name}: the view's base with the checkpoint's delta on top. */
    public View handle(View v, String name) {
        List<Checkpoint> cps = v.checkpoints;
        int k = find(cps, name);
        if (k < 0) throw new FsException(Errno.ENOENT, "no checkpoint " + name + " in " + v);
        Checkpoint cp = cps.get(k);
        View h = new View(
                v.name + "@" + name,
                cp.id(),
                v.isolation,
                v.ownerUid,
                cp.createdNs(),
                v.snapshot,
                cp.layer(),
                cp.pendingBytes(),
                v.options().withAnonymous(false),
                v.parentId);
        h.checkpoints = List.copyOf(cps.subList(0, k));
        h.heldLayers = cp.held();
        h.baseId = v.baseId;
        return h;
    }

    private static int find(List<Checkpoint> cps, String name) {
        for (int i = 0; i < cps.size(); i++) if (cps.get(i).name().equals(name)) return i;
        return -1;
    }

    static void checkName(String name) {
        if (name.isEmpty()
                || name.length() > 200
                || name.contains("/")
                || name.indexOf('\0') >= 0
                || name.chars().anyMatch(ch -> ch < 0x20 || ch == 0x7f)) {
            throw new FsException(Errno.EINVAL, "bad checkpoint name '" + name + "'");
        }
    }

    private <T> T changingView(View v, Supplier<T> f) {
        return tx.changingView(v, () -> {
            if (v.discarded) throw new FsException(Errno.ENOENT, "view " + v.name + " was discarded");
            return f.get();
        });
    }
}
