package io.txfs.core.transactions;

import io.txfs.core.collection.BackgroundCollection;
import io.txfs.core.collection.Collector;
import io.txfs.core.flush.Flusher;
import io.txfs.core.format.DeltaIdRecord;
import io.txfs.core.model.BackingChangedException;
import io.txfs.core.model.ChangeSet;
import io.txfs.core.model.FlushResult;
import io.txfs.core.model.FsException;
import io.txfs.core.model.PublishResult;
import io.txfs.core.outside.OutsideChanges;
import io.txfs.core.progress.LongWork;
import io.txfs.core.publish.Publisher;
import io.txfs.core.store.StoreException;
import io.txfs.core.tree.EngineParts;
import io.txfs.core.tree.EngineState;
import io.txfs.core.tree.VersionLog;
import io.txfs.core.tree.View;
import io.txfs.sys.Errno;
import java.util.Map;

/**
 * The two transactions that make versions: publish (a view's delta becomes visible to all, docs/engine.md)
 * and flush (the published state becomes durable in BACKING, docs/recovery.md). Each runs under the
 * publish lock; what they changed is told to the views after it is released.
 */
public final class VersionTransactions {
    private final EngineParts parts;
    private final EngineState state;
    private final ViewTransactions tx;
    private final OutsideChanges outside;
    private final Flusher flusher;
    private final Collector collector;
    private final BackgroundCollection background;
    private final VersionLog versionLog;

    public VersionTransactions(
            EngineParts parts,
            ViewTransactions tx,
            OutsideChanges outside,
            Flusher flusher,
            Collector collector,
            BackgroundCollection background,
            VersionLog versionLog) {
        this.parts = parts;
        this.state = parts.state();
        this.tx = tx;
        this.outside = outside;
        this.flusher = flusher;
        this.collector = collector;
        this.background = background;
        this.versionLog = versionLog;
    }

    public PublishResult publish(View v, boolean force) {
        return publish(v, force, false);
    }

    /** {@code mergeBytes}: files both sides changed in different chunks merge (Publisher, ByteRangeMerge). */
    public PublishResult publish(View v, boolean force, boolean mergeBytes) {
        GroupCommit g = tx.group();
        if (g != null && g.view() == v) {
            return publish(v, true, false, false); // the group's own view publishes as its groups do: forced
        }
        // a view's publish comes after the group's operations that returned before it: first committer wins
        tx.observeGroup(v);
        return publish(v, force, false, mergeBytes);
    }

    /**
     * Publishes the view's pending delta, forced, if anything was committed to it since its last publish;
     * else null. For {@link GroupCommit}.
     */
    public PublishResult publishIfChanged(View v) {
        return publish(v, true, true, false);
    }

    private PublishResult publish(View v, boolean force, boolean onlyIfChanged, boolean mergeBytes) {
        PublishResult r = publishLocked(v, force, onlyIfChanged, mergeBytes);
        if (r != null) tellViews(r.visibleChanges());
        return r;
    }

    /**
     * Tells the listener what a publish changed for each view, the publisher's own included (others'
     * changes it now sees): the one place a publish's invalidations start. After the publish released its locks:
     * telling the kernel may wait for a directory lock held by a process whose request waits for the
     * publish lock, and a publish that waited under it stalled every operation of the mount (10 s per
     * view told, until the listener gave up).
     */
    private void tellViews(Map<String, ChangeSet> visible) {
        for (var en : visible.entrySet()) state.listener.visibleChange(en.getKey(), en.getValue());
    }

    private PublishResult publishLocked(View v, boolean force, boolean onlyIfChanged, boolean mergeBytes) {
        ViewTransactions.requireWritable(v);
        state.publishLock.lock();
        v.lock.writeLock().lock();
        try {
            state.checkOpen();
            if (onlyIfChanged && v.changes == 0) return null;
            state.refuseWithChildren(v, "publish");
            String stopped = flusher.incomplete();
            if (stopped != null) {
                // the committed plan of that flush owns the next version number
                throw new FsException(
                        Errno.EIO,
                        "a flush stopped after committing its plan (" + stopped
                                + "); flush again to complete it before publishing");
            }
            PublishResult r = new Publisher(parts, background).publish(v, force, mergeBytes);
            collector.advancePins(v.id, r.version());
            versionLog.hook().published(r.version());
            background.thinAfterPublish();
            return r;
        } catch (StoreException e) {
            throw EngineState.storeError(e);
        } finally {
            v.lock.writeLock().unlock();
            state.publishLock.unlock();
        }
    }

    public FlushResult flush() {
        outside.requireBacking();
        try {
            return flushOnce();
        } catch (BackingChangedException changed) {
            // a file the flush would read or replace was changed outside: take that in, then flush what is left
            outside.nodeChanged(changed.node);
            return flushOnce();
        }
    }

    private FlushResult flushOnce() {
        FlushResult r;
        tx.observeGroup(null); // a flush writes every operation that returned before it
        state.publishLock.lock();
        try {
            state.checkOpen();
            // Set before waiting for the delta ids: their worker reads trees, and a read that found an
            // outside change would take it in under the publish lock this thread holds while it waits.
            state.flushRunning(true);
            try (LongWork work = state.works.start("flush")) {
                // derived work that reads old versions finishes before the backing directory changes
                work.phase("delta ids", LongWork.UNKNOWN, LongWork.UNKNOWN);
                DeltaIdRecord id = state.head() == state.flushed()
                        ? null
                        : versionLog.hook().beforeFlush(state.flushed(), state.head());
                r = flusher.flush(id, work);
            } finally {
                state.flushRunning(false);
            }
        } catch (StoreException e) {
            throw EngineState.storeError(e);
        } finally {
            state.publishLock.unlock();
        }
        if (!r.nothingToDo()) background.collectSoon("flush");
        return r;
    }
}
