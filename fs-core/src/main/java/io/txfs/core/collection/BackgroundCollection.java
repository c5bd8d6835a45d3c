package io.txfs.core.collection;

import io.txfs.core.model.GcPolicy;
import io.txfs.core.model.GcReport;
import io.txfs.core.model.GcResult;
import io.txfs.core.progress.LongWork;
import io.txfs.core.store.Bytes;
import io.txfs.core.store.ColumnFamily;
import io.txfs.core.store.StoreException;
import io.txfs.core.tree.EngineState;
import io.txfs.core.tree.View;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's background work on its one gc thread: automatic collections after open, flush and runs of
 * publishes, and the compactions that make deleted keys give their space and their read cost back. What
 * it runs never fails the operation that asked for it (docs/storage-format.md, "Garbage collection").
 */
public final class BackgroundCollection {
    private static final Logger log = LoggerFactory.getLogger(BackgroundCollection.class);

    private final EngineState state;
    private final Collector collector;
    private final GcPolicy gcPolicy;
    /** Counts a view's pending bytes again from what its layer stores (OwnLayerSpace). */
    private final Consumer<View> recount;
    /** Runs automatic collections off the caller's thread, so flush and open do not wait for them. */
    private final ExecutorService gcThread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "txfs-gc");
        t.setDaemon(true);
        return t;
    });

    private final AtomicBoolean gcScheduled = new AtomicBoolean();
    /** Own-layer bytes given back since the store last compacted (reclaimed). */
    private final AtomicLong reclaimedSinceCompaction = new AtomicLong();

    public BackgroundCollection(EngineState state, Collector collector, GcPolicy gcPolicy, Consumer<View> recount) {
        this.state = state;
        this.collector = collector;
        this.gcPolicy = gcPolicy;
        this.recount = recount;
    }

    /** Own-layer bytes were given back ({@code why}): compacts the store once enough piled up. */
    public void reclaimed(long bytes, String why) {
        if (bytes > 0 && reclaimedSinceCompaction.addAndGet(bytes) >= COMPACT_AFTER_BYTES) compactAfter(why);
    }

    /** A whole compaction ran now ({@code txfs gc}). */
    /**
     * {@code txfs gc}: a whole collection, every view's pending bytes counted again, the store compacted;
     * the state directory's bytes (from {@code stateBytes}) before and after.
     */
    public GcReport collectAndCompact(LongSupplier stateBytes) {
        long t0 = System.nanoTime();
        long before = stateBytes.getAsLong();
        try (LongWork work = state.works.start("gc")) {
            GcResult r = collector.collect(work);
            work.phase("recount", state.views.size(), LongWork.UNKNOWN);
            for (View v : state.views.values()) {
                recount.accept(v);
                work.advance(1, 0);
            }
            work.phase("compact", LongWork.UNKNOWN, LongWork.UNKNOWN);
            if (!state.closed()) state.store.compact();
            compacted();
            return new GcReport(before, stateBytes.getAsLong(), r, (System.nanoTime() - t0) / 1_000_000);
        } catch (StoreException e) {
            throw EngineState.storeError(e);
        }
    }

    public void compacted() {
        reclaimedSinceCompaction.set(0);
    }

    /** After a flush that changed something, and at open: a collection on the gc thread, if the policy is automatic. */
    public void collectSoon(String when) {
        if (gcPolicy.auto()) collectAfter(when);
    }

    /** Stops the thread; a running collection stops at its next batch (it checks closed). */
    public void shutdown() {
        gcThread.shutdown();
    }

    /**
     * Deleted keys hold their space until compaction drops them (small files' chunk 0 is in the store):
     * after this many bytes given back, or a collection that deleted this many chunk keys, the store
     * compacts on the gc thread.
     */
    static final long COMPACT_AFTER_BYTES = 64L << 20;

    static final long COMPACT_AFTER_CHUNKS = 1024;

    /** head when the last collection after publishes was scheduled. */
    private long thinnedAt;

    /**
     * Publishes without a flush (the shared default's groups) pile up versions whose records only the
     * newest keepUnflushed stay readable for: every keepUnflushed / 2 publishes beyond that window a
     * collection thins the rest out, so listing a directory costs its names, not every name it had
     * since the last flush. Called under the publish lock.
     */
    public void thinAfterPublish() {
        long window = gcPolicy.keepUnflushed();
        if (!gcPolicy.auto()
                || state.head() - state.flushed() <= window
                || state.head() - thinnedAt < Math.max(1, window / 2)) return;
        thinnedAt = state.head();
        collectAfter("publishes");
    }

    /** Schedules an automatic collection on the gc thread (one pending at most). */
    private void collectAfter(String when) {
        onGcThread(gcScheduled, "gc after " + when, () -> {
            GcResult g = collector.collect();
            if (g.deletedAnything()) log.debug("gc after {}: {}", when, g);
            if (g.chunks() >= COMPACT_AFTER_CHUNKS && !state.closed()) compact(when);
            compactThinnedDirectories();
        });
    }

    /** Tests: waits until what the gc thread was given so far has run (it runs tasks in order). */
    public void awaitGcThread() throws Exception {
        gcThread.submit(() -> {}).get();
    }

    /** Entry versions deleted from one directory before its range is compacted (a listing steps over each). */
    static final int COMPACT_DIRECTORY_AFTER = 512;

    /** Compacts the entry ranges of directories the collector thinned, so their listings stop stepping over tombstones. */
    private void compactThinnedDirectories() {
        for (long dir : collector.takeThinnedDirectories(COMPACT_DIRECTORY_AFTER)) {
            // under the publish lock, which close takes first: the store is never closed under a compaction
            state.publishLock.lock();
            try {
                if (state.closed()) return;
                state.store.compact(ColumnFamily.DENT, Bytes.longs(dir), Bytes.longs(dir + 1));
            } catch (StoreException e) {
                log.warn(
                        "compacting the entries of directory {}: {}",
                        dir,
                        e.getMessage()); // only its listings stay slower
            } finally {
                state.publishLock.unlock();
            }
        }
    }

    private final AtomicBoolean compactScheduled = new AtomicBoolean();

    private void compactAfter(String when) {
        onGcThread(compactScheduled, "compaction after " + when, () -> compact(when));
    }

    /**
     * Counts every view's pending bytes again on the gc thread: a view written by an older txfs carries a
     * count of every byte it wrote (9.2 GB for four files), not what its layer stores.
     */
    public void recountPendingBytes() {
        onGcThread(null, "counting pending bytes", () -> {
            for (View v : state.views.values()) {
                if (state.closed()) return;
                recount.accept(v);
            }
        });
    }

    /**
     * Runs task on the gc thread, at most one waiting per flag (null: no limit). Its failure is logged and
     * leaves garbage behind, never fails the operation that asked for it; a closed engine runs nothing
     * (the next open collects).
     */
    private void onGcThread(AtomicBoolean scheduled, String what, Runnable task) {
        if (scheduled != null && !scheduled.compareAndSet(false, true)) return;
        try {
            gcThread.execute(() -> {
                if (scheduled != null) scheduled.set(false);
                try {
                    if (!state.closed()) task.run();
                } catch (RuntimeException e) {
                    if (!state.closed()) log.warn("{} stopped: {}", what, e.toString());
                }
            });
        } catch (RejectedExecutionException closing) {
            if (scheduled != null) scheduled.set(false);
        }
    }

    private void compact(String when) {
        reclaimedSinceCompaction.set(0);
        long t0 = System.nanoTime();
        state.store.compact();
        log.debug("state.store compacted after {} in {} ms", when, (System.nanoTime() - t0) / 1_000_000);
    }

    /** After this many, a view's pending key range is compacted (it holds the view's pending records only: small). */
    static final long PENDING_COMPACT_AFTER = 10_000;

    /**
     * A publish of {@code v} deleted {@code n} pending keys one by one (Publisher.clearPending), under the
     * publish lock. Each stays as a tombstone that every scan of the view's pending range steps over until
     * a compaction drops it, so one publish per group made each publish slower than the one before; once
     * enough accumulated, the view's range of the three pending column families is compacted on the
     * collector's thread (pending records only, no data; other views' ranges are not rewritten).
     */
    public void pendingDeleted(View v, int n) {
        v.pointDeletes += n;
        if (v.pointDeletes < PENDING_COMPACT_AFTER) return;
        v.pointDeletes = 0;
        byte[] from = Bytes.longs(v.id);
        byte[] to = Bytes.longs(v.id + 1);
        try {
            gcThread.execute(() -> {
                // under the publish lock, which close takes first: the store is never closed under a compaction
                state.publishLock.lock();
                try {
                    if (state.closed()) return;
                    for (ColumnFamily cf :
                            new ColumnFamily[] {ColumnFamily.P_NODE, ColumnFamily.P_DENT, ColumnFamily.P_KEY})
                        state.store.compact(cf, from, to);
                } catch (StoreException e) {
                    log.warn(
                            "compacting the pending records of {}: {}",
                            v.name,
                            e.getMessage()); // only its reads stay slower
                } finally {
                    state.publishLock.unlock();
                }
            });
        } catch (RejectedExecutionException closing) {
            // the engine is closing
        }
    }
}
