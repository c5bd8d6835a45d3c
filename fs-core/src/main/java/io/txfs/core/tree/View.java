package io.txfs.core.tree;

import io.txfs.core.model.Isolation;
import io.txfs.core.model.ViewInfo;
import java.nio.ByteBuffer;
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

    /** A read-only handle named {@code name} on the published state at {@code snapshot} (id 0, no layer). */
    public static View publishedAt(String name, Isolation isolation, int ownerUid, long createdNs, long snapshot) {
        return new View(name, 0, isolation, ownerUid, createdNs, snapshot, 0, 0, ViewOptions.DEFAULT);
    }

    /** This view's records read at {@code snapshot} with nothing held: for reads only (PinnedViews). */
    public View frozenAt(long snapshot) {
        return new View(
                name,
                id,
                Isolation.SNAPSHOT,
                ownerUid,
                createdNs,
                snapshot,
                layer,
                pendingBytes,
                options().withAnonymous(false));
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
        this.anonymous = options.anonymous();
        this.mtimeClampNs = options.mtimeClampNs();
        this.syncs = options.syncs();
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
        for (Checkpoint cp : checkpoints) if (cp.layer() == layer) return true;
        return false;
    }

    /** Every layer {@link #ownsLayer} owns. */
    public long[] ownLayers() {
        List<Checkpoint> cps = checkpoints;
        long[] out = new long[cps.size() + 1];
        for (int i = 0; i < cps.size(); i++) out[i] = cps.get(i).layer();
        out[cps.size()] = layer;
        return out;
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
        return new ViewOptions(anonymous, mtimeClampNs, syncs);
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
        return encodeAt(snapshot, layer, pendingBytes);
    }

    /**
     * The stored record of this view moved to {@code snapshot}, {@code layer} and {@code pendingBytes}: what a
     * batch writes before the handle itself changes. Format 2 adds the flags byte (bit 0: anonymous); format
     * 1 records read as named views. Format 3 (written only for a view with an mtime clamp or without
     * fsyncs, so older daemons read every other view) adds flag bit 1 (then the clamp is appended) and bit 2
     * (fsyncs skipped).
     */
    public byte[] encodeAt(long snapshot, long layer, long pendingBytes) {
        boolean clamped = mtimeClampNs >= 0;
        boolean format3 = clamped || !syncs;
        byte[] b = new byte[1 + 8 + 1 + 8 + 8 + 4 + 8 + 8 + 1 + (clamped ? 8 : 0)];
        ByteBuffer bb = ByteBuffer.wrap(b);
        bb.put((byte) (format3 ? 3 : 2))
                .putLong(id)
                .put((byte) isolation.ordinal())
                .putLong(snapshot)
                .putLong(layer)
                .putInt(ownerUid)
                .putLong(createdNs)
                .putLong(pendingBytes)
                .put((byte) ((anonymous ? 1 : 0) | (clamped ? 2 : 0) | (syncs ? 0 : 4)));
        if (clamped) bb.putLong(mtimeClampNs);
        return b;
    }

    public static View decode(String name, byte[] b) {
        ByteBuffer bb = ByteBuffer.wrap(b);
        int format = bb.get();
        if (format < 1 || format > 3) throw new IllegalStateException("unknown view record format " + format);
        long id = bb.getLong();
        Isolation iso = Isolation.values()[bb.get()];
        long snap = bb.getLong();
        long layer = bb.getLong();
        int owner = bb.getInt();
        long created = bb.getLong();
        long pending = bb.getLong();
        int flags = format >= 2 ? bb.get() : 0;
        long clamp = (flags & 2) != 0 ? bb.getLong() : -1;
        return new View(
                name,
                id,
                iso,
                owner,
                created,
                snap,
                layer,
                pending,
                new ViewOptions((flags & 1) != 0, clamp, (flags & 4) == 0));
    }

    @Override
    public String toString() {
        return "view " + name;
    }
}
