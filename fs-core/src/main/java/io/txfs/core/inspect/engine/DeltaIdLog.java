package io.txfs.core.inspect.engine;

import io.txfs.core.Engine;
import io.txfs.core.PinnedViews;
import io.txfs.core.format.DeltaIdRecord;
import io.txfs.core.inspect.EntryStat;
import io.txfs.core.inspect.ForwardingTreeSource;
import io.txfs.core.inspect.Name;
import io.txfs.core.inspect.ObjectFormat;
import io.txfs.core.inspect.TreePath;
import io.txfs.core.inspect.TreeSource;
import io.txfs.core.inspect.delta.Delta;
import io.txfs.core.inspect.delta.DeltaComputer;
import io.txfs.core.model.FsException;
import io.txfs.core.model.LogEntry;
import io.txfs.core.tree.VersionHook;
import io.txfs.core.tree.View;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delta ids of the published log, computed outside publish: hashing contents inside the publish call
 * would make its cost grow with file sizes. After each publish one background thread computes the
 * canonical delta between the published versions before and after it (both immutable) and stores its
 * id in the engine. A flush first computes, in the flushing thread, every publish id still missing
 * (a flush may overwrite backing files those versions read), then the flush's own id (the previously
 * flushed version to the one it writes), which the engine commits with the flush plan. At start every
 * log version without a stored id is queued again (a SIGKILL before the thread got to it).
 *
 * <p>Ids are SHA-1 canonical deltas without mtimes, computed as root. A version whose content can no
 * longer be read (an old store whose log predates ids, where a later flush replaced the backing file
 * and nothing preserved it) gets a stored "unavailable" record, never an id of something else.
 */
public final class DeltaIdLog implements VersionHook, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DeltaIdLog.class);
    /** Tests only: queue computations but do not run them (flush still computes what it needs). */
    public static final String HOLD_PROPERTY = "txfs.test.holdDeltaIds";

    private final Engine engine;
    private final ExecutorService worker;
    private final boolean hold;
    private final Object lock = new Object();
    private int queued;
    /** Versions queued and not yet computed: the collector keeps them and the ones before them. */
    private final ConcurrentSkipListSet<Long> waiting = new ConcurrentSkipListSet<>();

    private volatile boolean closed;

    private DeltaIdLog(Engine engine, boolean hold) {
        this.engine = engine;
        this.hold = hold;
        this.worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "txfs-delta-ids");
            t.setDaemon(true);
            return t;
        });
    }

    /** Installs the log on {@code engine} and queues every log version that has no id yet. */
    public static DeltaIdLog start(Engine engine) {
        return start(engine, Boolean.getBoolean(HOLD_PROPERTY));
    }

    /** {@code hold}: tests only, see {@link #HOLD_PROPERTY}. */
    public static DeltaIdLog start(Engine engine, boolean hold) {
        DeltaIdLog d = new DeltaIdLog(engine, hold);
        int missing = 0;
        for (LogEntry e : engine.log()) {
            if (engine.deltaId(e.version()) == null) {
                d.queue(e.version());
                missing++;
            }
        }
        // after queueing: installed, the hook tells the collector which old versions its queue still reads
        engine.setVersionHook(d);
        if (missing > 0) {
            log.info("computing {} delta ids missing from the log", missing);
        }
        return d;
    }

    @Override
    public void published(long version) {
        queue(version);
    }

    private void queue(long version) {
        synchronized (lock) {
            queued++;
        }
        waiting.add(version);
        worker.execute(() -> {
            try {
                if (!hold && !closed) {
                    ensure(version);
                }
            } finally {
                if (!hold) {
                    waiting.remove(version);
                }
                synchronized (lock) {
                    if (!hold) {
                        queued--;
                    }
                    lock.notifyAll();
                }
            }
        });
    }

    /** Waits until nothing is queued, at most {@code millis}; true if idle. */
    public boolean awaitIdle(long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        synchronized (lock) {
            while (queued > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                lock.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
            return true;
        }
    }

    @Override
    public DeltaIdRecord beforeFlush(long flushed, long head) {
        // every publish after the last flush reads backing files this flush may replace: let the thread
        // finish what it is computing (no publish can queue more meanwhile), then compute what is left
        if (!hold) {
            try {
                awaitIdle(Long.MAX_VALUE / 2_000_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (long v = flushed + 1; v <= head; v++) {
            ensure(v);
        }
        // one publish since the last flush (publish then flush, txfs commit): its delta is the flush's
        DeltaIdRecord only = head == flushed + 1 ? engine.deltaId(head) : null;
        if (only != null && only.from() == flushed) {
            return only;
        }
        return compute(flushed, head);
    }

    /** A queued publish reads the version before it; a flush's delta is computed by the flush itself. */
    @Override
    public long oldestNeeded() {
        Long first = waiting.ceiling(Long.MIN_VALUE); // null when empty, without first()'s race
        return first == null ? Long.MAX_VALUE : first - 1;
    }

    /** Computes and stores the id of log version {@code version} unless it is stored already. */
    void ensure(long version) {
        if (engine.deltaId(version) != null) {
            return;
        }
        long from = fromVersion(version);
        if (from < 0) {
            return;
        }
        DeltaIdRecord r = compute(from, version);
        if (r != null && engine.deltaId(version) == null) {
            engine.putDeltaId(version, r);
        }
    }

    /** The version a log version's delta starts from: the one before a publish, the previous flush for a flush. */
    private long fromVersion(long version) {
        LogEntry self = engine.logEntry(version);
        if (self == null) {
            return -1;
        }
        if (!self.kind().equals("flush")) {
            return version - 1;
        }
        // record by record, not engine.log(): that publishes the shared default's waiting group first, which
        // takes the publish lock, and a flush holds it while it waits for this thread
        for (long v = version - 1; v > 0; v--) {
            LogEntry e = engine.logEntry(v);
            if (e != null && e.kind().equals("flush")) {
                return v;
            }
        }
        return 0;
    }

    /** The record of the delta from version {@code from} to {@code to}; null when the engine closed meanwhile. */
    private DeltaIdRecord compute(long from, long to) {
        View before = null;
        View after = null;
        try {
            before = engine.versionView(from);
            after = engine.versionView(to);
            Delta d = new DeltaComputer(ObjectFormat.SHA1, false)
                    .compute(
                            new StopOnClose(SnapshotTokenSources.version(engine, before)),
                            new StopOnClose(SnapshotTokenSources.version(engine, after)));
            return DeltaIdRecord.computed(from, d.id().hex(), d.entries().size());
        } catch (IOException | FsException | UncheckedIOException e) {
            if (closed) {
                return null;
            }
            log.warn("delta id of versions {} to {} cannot be computed: {}", from, to, e.toString());
            return DeltaIdRecord.unavailable(from, "content no longer readable: " + e.getMessage());
        } finally {
            // pins make flushes preserve old content: end them now, not when the JVM collects the handles
            if (before != null) PinnedViews.release(engine, before);
            if (after != null) PinnedViews.release(engine, after);
        }
    }

    /** Ends a computation soon after {@link #close()}: the engine's store must not be read once it closes. */
    private final class StopOnClose extends ForwardingTreeSource {
        StopOnClose(TreeSource inner) {
            super(inner);
        }

        private void check() throws IOException {
            if (closed) {
                throw new IOException("delta id log closed");
            }
        }

        @Override
        public List<Name> list(TreePath dir) throws IOException {
            check();
            return super.list(dir);
        }

        @Override
        public EntryStat stat(TreePath path) throws IOException {
            check();
            return super.stat(path);
        }

        @Override
        public InputStream open(TreePath path) throws IOException {
            check();
            return super.open(path);
        }
    }

    /** Stops the background thread; ids it did not store are computed again at the next start. */
    @Override
    public void close() {
        closed = true;
        engine.setVersionHook(null);
        worker.shutdownNow();
        try {
            if (!worker.awaitTermination(60, TimeUnit.SECONDS)) {
                log.error("the delta id thread did not stop within 60 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
