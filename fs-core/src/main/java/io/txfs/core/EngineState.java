package io.txfs.core;

import io.txfs.core.progress.LongWorks;
import io.txfs.core.store.Store;
import io.txfs.core.store.StoreException;
import io.txfs.sys.Errno;
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
final class EngineState {
    private static final Logger log = LoggerFactory.getLogger(EngineState.class);

    final Store store;
    /** Chunk bytes outside the store (Content): files in stateDir/chunks, or the heap for memory stores. */
    final ChunkData chunkData;

    final Clock clock;
    final FaultInjector faults;
    final EngineListener listener;
    final LongWorks works;
    final Backing backing;
    final IdAllocator ids;
    final IdAllocator layers;
    final IdAllocator viewIds;
    /** The newest published version. Written under the publish lock only. */
    volatile long head;
    /** The version the backing directory holds. Written under the publish lock only. */
    volatile long flushed;

    final Map<String, View> views = new ConcurrentHashMap<>();
    final View published;
    /** Serializes publish, flush, abort, refresh, view creation; taken before any view lock. */
    final ReentrantLock publishLock = new ReentrantLock();
    /** Subdirectory counts (DirLinks), valid while no mkdir, rmdir or rename committed since. */
    final DirLinks dirLinks = new DirLinks();

    volatile boolean closed;
    /** A flush is changing the backing directory: quick outside-change checks wait for its records (OutsideChanges). */
    volatile boolean flushRunning;

    EngineState(
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

    /** A change of the node's content or entries: mtime and ctime are now (the injected clock). */
    void touch(NodeRecord r) {
        long now = clock.nowNanos();
        r.mtime = now;
        r.ctime = now;
    }

    void checkOpen() {
        if (closed) throw new FsException(Errno.EIO, "engine closed");
    }

    static FsException storeError(StoreException e) {
        log.error("store failure: {}", e.getMessage());
        return new FsException(e.noSpace() ? Errno.ENOSPC : Errno.EIO, e.getMessage(), e);
    }
}
