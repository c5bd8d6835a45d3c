package io.txfs.core.tree;

import io.txfs.core.model.Isolation;
import io.txfs.core.model.ViewInfo;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A handle on a view. Operations live on {@code Engine} and take the handle. The published pseudo-view
 * (id 0) reads the published state and refuses changes with EROFS.
 */
public final class View {
    public final String name;
    public final long id;
    public final Isolation isolation;
    public final int ownerUid;
    public final long createdNs;
    /**
     * Made without a name (txfs run without --view): nobody will come back for it by name, so it ends once it
     * holds nothing and no process is in it (docs/views.md, "Views that end").
     */
    final boolean anonymous;
    /**
     * SOURCE_DATE_EPOCH for the view's files: a modification time it gives a file is never later than this
     * (ns since the epoch), or -1 for none (docs/reproducibility.md, "Deterministic metadata").
     */
    public final long mtimeClampNs;
    /** Whether the view's fsyncs make its writes durable ({@link ViewOptions#syncs}). */
    public final boolean syncs;
    /** Whether its processes see inode numbers derived from paths ({@link ViewOptions#pathInodes}). */
    public final boolean pathInodes;
    /** Mutations hold the write lock, reads the read lock (docs/concurrency.md). */
    public final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();

    public volatile long snapshot;
    public volatile long layer;
    public volatile long pendingBytes;
    public volatile boolean discarded;
    /**
     * A handle on one old published version ({@code Engine.versionView}): its reads never take in an
     * outside change (Engine.isVersionView). Set before the handle is handed out.
     */
    public boolean historical;
    /**
     * Commits to the pending delta since it was last published or dropped (written under {@link #lock}'s
     * write lock); a view loaded at open with pending records counts 1. A group commit publishes only
     * when it is not 0, so no empty version is ever published.
     */
    public volatile long changes;
    /** Pending keys of this view deleted one by one since its key range was last compacted; under the publish lock. */
    public long pointDeletes;
    /**
     * The pending delta's records as last read or written; changes under {@link #lock}'s write lock
     * only. Only the engine's own handle of a view has one: copies (PinnedViews, ViewDiff) have their
     * own lock, so they read the store directly.
     */
    public volatile PendingCache pending;
    /**
     * The checkpoints of the pending delta, oldest first (a stack: a rollback drops those taken after its
     * target). Replaced whole, under the publish lock and the view's write lock.
     */
    public volatile List<Checkpoint> checkpoints = List.of();
    /**
     * The layers of the pending delta besides {@link #layer}, frozen: those a checkpoint or a child's fork
     * froze, and those of children merged into it. Replaced whole, under the publish lock and the view's
     * write lock; kept in the view's record.
     */
    public volatile long[] heldLayers = new long[0];
    /**
     * A child view (docs/views.md, "Nested views"): the id of the view it publishes into, 0 for a top-level
     * view. Fixed for its life.
     */
    public final long parentId;
    /**
     * A child's base: the id under which the parent's pending rows at the fork are kept, to tell what each side
     * changed since (0 for a top-level view). Changes only with a re-fork, under both views' write locks.
     */
    public volatile long baseId;

    /** A read-only handle named {@code name} on the published state at {@code snapshot} (id 0, no layer). */
    public static View publishedAt(String name, Isolation isolation, int ownerUid, long createdNs, long snapshot) {
        return new View(name, 0, isolation, ownerUid, createdNs, snapshot, 0, 0, ViewOptions.DEFAULT);
    }

    /** This view's records read at {@code snapshot} with nothing held: for reads only (PinnedViews). */
    public View frozenAt(long snapshot) {
        View f = new View(
                name,
                id,
                Isolation.SNAPSHOT,
                ownerUid,
                createdNs,
                snapshot,
                layer,
                pendingBytes,
                options().withAnonymous(false),
                parentId);
        f.heldLayers = heldLayers;
        f.baseId = baseId;
        return f;
    }

    public View(
            String name,
            long id,
            Isolation isolation,
            int ownerUid,
            long createdNs,
            long snapshot,
            long layer,
            long pendingBytes,
            ViewOptions options) {
        this(name, id, isolation, ownerUid, createdNs, snapshot, layer, pendingBytes, options, 0);
    }

    public View(
            String name,
            long id,
            Isolation isolation,
            int ownerUid,
            long createdNs,
            long snapshot,
            long layer,
            long pendingBytes,
            ViewOptions options,
            long parentId) {
        this.parentId = parentId;
        this.anonymous = options.anonymous();
        this.mtimeClampNs = options.mtimeClampNs();
        this.syncs = options.syncs();
        this.pathInodes = options.pathInodes();
        this.name = name;
        this.id = id;
        this.isolation = isolation;
        this.ownerUid = ownerUid;
        this.createdNs = createdNs;
        this.snapshot = snapshot;
        this.layer = layer;
        this.pendingBytes = pendingBytes;
    }

    /**
     * Whether {@code layer} holds chunks of this pending delta: the layer the view writes now, or one a
     * checkpoint froze. A node born in one is new to everyone else.
     */
    public boolean ownsLayer(long layer) {
        if (layer == 0) return false;
        if (layer == this.layer) return true;
        for (long l : heldLayers) if (l == layer) return true;
        return false;
    }

    /** Every layer {@link #ownsLayer} owns: the held ones, then the current one. */
    public long[] ownLayers() {
        long[] held = heldLayers;
        long[] out = Arrays.copyOf(held, held.length + 1);
        out[held.length] = layer;
        return out;
    }

    /**
     * A read-only handle on a child's base: its parent's pending delta at the fork (on the same published
     * version), what the child's own changes are told against. Null for a top-level view.
     */
    public View baseHandle() {
        if (!isChild()) return null;
        View b = new View(
                name + "@base",
                baseId,
                Isolation.SNAPSHOT,
                ownerUid,
                createdNs,
                snapshot,
                0,
                0,
                options().withAnonymous(false));
        return b;
    }

    /** Whether this view publishes into another view rather than into the published state. */
    public boolean isChild() {
        return parentId != 0;
    }

    public String name() {
        return name;
    }

    public Isolation isolation() {
        return isolation;
    }

    public int ownerUid() {
        return ownerUid;
    }

    public boolean anonymous() {
        return anonymous;
    }

    public ViewOptions options() {
        return new ViewOptions(anonymous, mtimeClampNs, syncs, pathInodes);
    }

    /** A modification time the view gives a file: {@code ns}, clamped to the view's {@link #mtimeClampNs}. */
    public long clampMtime(long ns) {
        return mtimeClampNs < 0 ? ns : Math.min(ns, mtimeClampNs);
    }

    public boolean isPublished() {
        return id == 0;
    }

    public ViewInfo info() {
        return new ViewInfo(name, isolation, snapshot, ownerUid, createdNs, pendingBytes, syncs);
    }

    public byte[] encode() {
        return encodeAt(snapshot, layer, pendingBytes, heldLayers);
    }

    public byte[] encodeAt(long snapshot, long layer, long pendingBytes) {
        return encodeAt(snapshot, layer, pendingBytes, heldLayers);
    }

    /**
     * The stored record of this view moved to {@code snapshot}, {@code layer} and {@code pendingBytes}: what a
     * batch writes before the handle itself changes. Format 2 adds the flags byte (bit 0: anonymous); format
     * 1 records read as named views. Format 3 (written only for a view with an mtime clamp or without
     * fsyncs, so older daemons read every other view) adds flag bit 1 (then the clamp is appended) and bit 2
     * (fsyncs skipped). Format 4 (written only for a view with held layers, a parent or path-derived inode
     * numbers, so a daemon that knows none of them refuses it rather than drop them) adds bit 3 (then the
     * count and the held layers), bit 4 (then the parent's id and the base's) and bit 5 (path inodes).
     */
    public byte[] encodeAt(long snapshot, long layer, long pendingBytes, long[] held) {
        boolean clamped = mtimeClampNs >= 0;
        boolean holds = held.length > 0;
        int format = holds || isChild() || pathInodes ? 4 : clamped || !syncs ? 3 : 2;
        byte[] b = new byte
                [1
                        + 8
                        + 1
                        + 8
                        + 8
                        + 4
                        + 8
                        + 8
                        + 1
                        + (clamped ? 8 : 0)
                        + (holds ? 4 + 8 * held.length : 0)
                        + (isChild() ? 16 : 0)];
        ByteBuffer bb = ByteBuffer.wrap(b);
        bb.put((byte) format)
                .putLong(id)
                .put((byte) isolation.ordinal())
                .putLong(snapshot)
                .putLong(layer)
                .putInt(ownerUid)
                .putLong(createdNs)
                .putLong(pendingBytes)
                .put((byte) ((anonymous ? 1 : 0)
                        | (clamped ? 2 : 0)
                        | (syncs ? 0 : 4)
                        | (holds ? 8 : 0)
                        | (isChild() ? 16 : 0)
                        | (pathInodes ? 32 : 0)));
        if (clamped) bb.putLong(mtimeClampNs);
        if (holds) {
            bb.putInt(held.length);
            for (long l : held) bb.putLong(l);
        }
        if (isChild()) bb.putLong(parentId).putLong(baseId);
        return b;
    }

    public static View decode(String name, byte[] b) {
        ByteBuffer bb = ByteBuffer.wrap(b);
        int format = bb.get();
        if (format < 1 || format > 4) throw new IllegalStateException("unknown view record format " + format);
        long id = bb.getLong();
        Isolation iso = Isolation.values()[bb.get()];
        long snap = bb.getLong();
        long layer = bb.getLong();
        int owner = bb.getInt();
        long created = bb.getLong();
        long pending = bb.getLong();
        int flags = format >= 2 ? bb.get() : 0;
        long clamp = (flags & 2) != 0 ? bb.getLong() : -1;
        long[] held = new long[(flags & 8) != 0 ? bb.getInt() : 0];
        for (int i = 0; i < held.length; i++) held[i] = bb.getLong();
        long parent = (flags & 16) != 0 ? bb.getLong() : 0;
        long base = (flags & 16) != 0 ? bb.getLong() : 0;
        View v = new View(
                name,
                id,
                iso,
                owner,
                created,
                snap,
                layer,
                pending,
                new ViewOptions((flags & 1) != 0, clamp, (flags & 4) == 0, (flags & 32) != 0),
                parent);
        v.heldLayers = held;
        v.baseId = base;
        return v;
    }

    @Override
    public String toString() {
        return "view " + name;
    }
}
