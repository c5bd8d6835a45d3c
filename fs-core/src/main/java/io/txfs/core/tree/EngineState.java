package io.txfs.core.tree;

import io.txfs.core.backing.Backing;
import io.txfs.core.chunks.ChunkData;
import io.txfs.core.format.IdAllocator;
import io.txfs.core.format.NodeRecord;
import io.txfs.core.model.Clock;
import io.txfs.core.model.EngineConstants;
import io.txfs.core.model.EngineListener;
import io.txfs.core.model.FaultInjector;
import io.txfs.core.model.FsException;
import io.txfs.core.model.Isolation;
import io.txfs.core.progress.LongWorks;
import io.txfs.core.store.Store;
import io.txfs.core.store.StoreException;
import io.txfs.sys.Errno;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the engine's parts share, made explicit: the store and its data files, the published and flushed
 * version numbers, the views, and the publish lock that orders every change to them (docs/concurrency.md).
 * The parts (Publisher, Flusher, Collector, OutsideChanges, …) are given this object and the readers they
 * need ({@link PublishedVersions}, {@link LayeredTree}, {@link BackingImport}) instead of the engine, so
 * what each one touches is visible in its constructor.
 */
public final class EngineState {
    private static final Logger log = LoggerFactory.getLogger(EngineState.class);

    public final Store store;
    /** Chunk bytes outside the store (Content): files in stateDir/chunks, or the heap for memory stores. */
    public final ChunkData chunkData;

    public final Clock clock;
    public final FaultInjector faults;
    public final EngineListener listener;
    public final LongWorks works;
    public final Backing backing;
    public final IdAllocator ids;
    public final IdAllocator layers;
    public final IdAllocator viewIds;
    /** The newest published version. Written under the publish lock only. */
    private volatile long head;
    /** The version the backing directory holds. Written under the publish lock only. */
    private volatile long flushed;

    public final Map<String, View> views = new ConcurrentHashMap<>();
    public final View published;
    /** Serializes publish, flush, abort, refresh, view creation; taken before any view lock. */
    public final ReentrantLock publishLock = new ReentrantLock();
    /** Subdirectory counts (DirLinks), valid while no mkdir, rmdir or rename committed since. */
    public final DirLinks dirLinks = new DirLinks();

    private volatile boolean closed;
    /** A flush is changing the backing directory: quick outside-change checks wait for its records (OutsideChanges). */
    private volatile boolean flushRunning;

    public EngineState(
            Store store,
            ChunkData chunkData,
            Clock clock,
            FaultInjector faults,
            EngineListener listener,
            LongWorks works,
            Backing backing,
            IdAllocator ids,
            IdAllocator layers,
            IdAllocator viewIds) {
        this.store = store;
        this.chunkData = chunkData;
        this.clock = clock;
        this.faults = faults;
        this.listener = listener;
        this.works = works;
        this.backing = backing;
        this.ids = ids;
        this.layers = layers;
        this.viewIds = viewIds;
        this.published = View.publishedAt(EngineConstants.PUBLISHED_VIEW, Isolation.READ_COMMITTED, 0, 0, 0);
    }

    /**
     * Every id whose pending records ({@code p_node}, {@code p_dent}, {@code p_key}) something reads: each
     * view's, each child view's base and each checkpoint's. What they name (nodes, chunks, base identities) must be kept.
     */
    public List<Long> pendingHolders() {
        List<Long> out = new ArrayList<>();
        for (View v : views.values()) {
            out.add(v.id);
            if (v.baseId != 0) out.add(v.baseId);
            for (Checkpoint cp : v.checkpoints) out.add(cp.id());
        }
        return out;
    }

    /** The view of id {@code id}, or null. */
    public View viewById(long id) {
        for (View v : views.values()) if (v.id == id) return v;
        return null;
    }

    /** The views begun inside {@code parent} (docs/views.md, "Nested views"), by name. */
    public List<View> children(View parent) {
        List<View> out = new ArrayList<>();
        if (parent.id == 0) return out;
        for (View v : views.values()) if (v.parentId == parent.id) out.add(v);
        out.sort((a, b) -> a.name.compareTo(b.name));
        return out;
    }

    /**
     * Refuses (EBUSY) an operation that would move the ground under {@code v}'s children: their records name
     * its layers and read its state at their fork.
     */
    public void refuseWithChildren(View v, String what) {
        List<View> children = children(v);
        if (children.isEmpty()) return;
        StringBuilder names = new StringBuilder();
        for (View c : children) names.append(names.length() == 0 ? "" : ", ").append(c.name);
        throw new FsException(
                Errno.EBUSY,
                "view " + v.name + " has child views (" + names + "): publish or abort them before a " + what);
    }

    public long head() {
        return head;
    }

    public long flushed() {
        return flushed;
    }

    /** At open, from the store's meta records, before any other part runs. */
    public void opened(long head, long flushed) {
        this.head = head;
        this.flushed = flushed;
    }

    /** A new newest version (a publish, a take-in of outside changes, a flush's completion). */
    public void head(long version) {
        assert publishLock.isHeldByCurrentThread() : "head written without the publish lock";
        head = version;
    }

    /** BACKING now holds this version. */
    public void flushed(long version) {
        assert publishLock.isHeldByCurrentThread() : "flushed written without the publish lock";
        flushed = version;
    }

    public boolean closed() {
        return closed;
    }

    /** The engine is closing: background work stops at its next check. */
    public void markClosed() {
        closed = true;
    }

    public boolean flushRunning() {
        return flushRunning;
    }

    public void flushRunning(boolean running) {
        flushRunning = running;
    }

    /** A change of the node's content or entries: mtime and ctime are now (the injected clock). */
    public void touch(ViewOperation c, NodeRecord r) {
        long now = clock.nowNanos();
        r.mtime = c.view.clampMtime(now);
        r.ctime = now;
    }

    public void checkOpen() {
        if (closed) throw new FsException(Errno.EIO, "engine closed");
    }

    public static FsException storeError(StoreException e) {
        log.error("store failure: {}", e.getMessage());
        return new FsException(e.noSpace() ? Errno.ENOSPC : Errno.EIO, e.getMessage(), e);
    }
}
