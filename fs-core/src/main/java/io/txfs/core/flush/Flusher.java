package io.txfs.core.flush;

import io.txfs.core.backing.Backing;
import io.txfs.core.backing.BackingDir;
import io.txfs.core.backing.BackingMeta;
import io.txfs.core.collection.Collector;
import io.txfs.core.format.DeltaIdRecord;
import io.txfs.core.format.Keys;
import io.txfs.core.format.LogCodec;
import io.txfs.core.format.NodeRecord;
import io.txfs.core.model.EngineConstants;
import io.txfs.core.model.FaultPoint;
import io.txfs.core.model.FileType;
import io.txfs.core.model.FlushResult;
import io.txfs.core.model.FsException;
import io.txfs.core.model.Identity;
import io.txfs.core.progress.LongWork;
import io.txfs.core.store.Batch;
import io.txfs.core.store.Bytes;
import io.txfs.core.store.ColumnFamily;
import io.txfs.core.tree.EngineParts;
import io.txfs.core.tree.EngineState;
import io.txfs.core.tree.PublishedVersions;
import io.txfs.core.tree.View;
import io.txfs.sys.Errno;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Flush: writes the published state into the backing directory, crash-atomically (docs/recovery.md).
 * 1. stage new objects in ROOT/.txfs.flush and preserve old content snapshots still need (no locks);
 * 2. under every view's write lock (the switch): commit the redo plan, apply it (patch files in place,
 *    move replaced names out, place new ones, metadata, cleanup, fsync), then one completion batch.
 * Recovery at open runs a committed plan again (every step is idempotent) or deletes the staging area.
 */
public final class Flusher {
    private static final Logger log = LoggerFactory.getLogger(Flusher.class);
    private static final byte[] PLAN_KEY = Keys.meta("plan");
    private final EngineParts parts;
    private final EngineState state;
    private final Collector collector;
    private final PublishedVersions versions;
    private final BackingMeta meta;
    /**
     * Why the last flush stopped after committing its plan (null: it did not). Until the plan completes,
     * publish refuses (the plan owns the next version number) and the next flush first completes it.
     */
    private volatile String incomplete;
    /** Writes into BACKING while a flush or recovery runs (flushes run one at a time); null between. */
    private FlushWriter writer;
    /** The running flush or recovery as others see it (LongWorks); unwatched between flushes. */
    private LongWork work = LongWork.unwatched();

    public Flusher(EngineParts parts, Collector collector) {
        this.parts = parts;
        this.collector = collector;
        this.state = parts.state();
        this.versions = parts.versions();
        this.meta = new BackingMeta();
    }

    /** Non-null while a committed plan is still to be completed: why it stopped. */
    public String incomplete() {
        return incomplete;
    }

    /** At open, before anything else runs; under the publish lock all the same, as every flush is. */
    public void recover() {
        state.publishLock.lock();
        writer = new FlushWriter(state, versions, meta);
        try (LongWork w = state.works.start("recovery")) {
            work = w;
            recoverCached();
        } finally {
            work = LongWork.unwatched();
            writer.close();
            writer = null;
            state.publishLock.unlock();
        }
    }

    private void recoverCached() {
        byte[] p = state.store.get(ColumnFamily.FLUSH, PLAN_KEY);
        try {
            if (p == null) {
                if (writer.lstatOrNull(EngineConstants.STAGING) != null) {
                    log.warn("removing the staging area of a flush interrupted before its plan was committed");
                    writer.deleteTree(EngineConstants.STAGING);
                }
                return;
            }
            FlushPlan plan = FlushPlan.decode(p);
            log.warn("rolling forward the interrupted flush of version {}", plan.head);
            apply(plan);
            complete(plan);
        } catch (IOException ex) {
            throw new UncheckedIOException("flush recovery", ex);
        }
    }

    /** {@code deltaId}: the flush's delta-id record, committed with its plan (null: none); {@code w} hears the progress. */
    public FlushResult flush(DeltaIdRecord deltaId, LongWork w) {
        writer = new FlushWriter(state, versions, meta);
        try {
            work = w;
            return flushCached(deltaId);
        } finally {
            work = LongWork.unwatched();
            writer.close();
            writer = null;
        }
    }

    private FlushResult flushCached(DeltaIdRecord deltaId) {
        FlushResult completed = incomplete != null ? rollForward() : null;
        long head = state.head();
        long was = state.flushed();
        if (head == was) return completed != null ? completed : new FlushResult(was, 0, 0, true);
        try {
            return flush(head, was, deltaId);
        } catch (IOException ex) {
            throw new FsException(Errno.EIO, "flush: " + ex, ex);
        }
    }

    /** Completes the plan a failed flush left committed, under every view's write lock as a flush does. */
    private FlushResult rollForward() {
        byte[] p = state.store.get(ColumnFamily.FLUSH, PLAN_KEY);
        if (p == null) { // it stopped after its completion batch: nothing left to do
            incomplete = null;
            return null;
        }
        FlushPlan plan = FlushPlan.decode(p);
        List<View> all = lockAll();
        try {
            log.warn("completing the flush of version {} that stopped after its plan was committed", plan.head);
            apply(plan);
            complete(plan);
            incomplete = null;
            return new FlushResult(plan.version, plan.identify.size(), plan.bytes, false);
        } catch (IOException | RuntimeException ex) {
            throw stopped(plan, ex);
        } finally {
            for (View v : all) v.lock.writeLock().unlock();
        }
    }

    private List<View> lockAll() {
        List<View> all = new ArrayList<>(state.views.values());
        all.add(state.published);
        all.sort(Comparator.comparingLong(v -> v.id));
        for (View v : all) v.lock.writeLock().lock();
        return all;
    }

    /**
     * A step failed after the plan was committed (the rehearsal before it passed, so this is an I/O error
     * or a change behind txfs's back): the backing directory is between the two states and only rolling
     * the plan forward gets out, so the plan stays and is completed by the next flush or start.
     */
    private FsException stopped(FlushPlan plan, Exception ex) {
        incomplete = ex.getMessage();
        String msg = "flush of version " + plan.head + " stopped after its plan was committed: " + ex.getMessage()
                + "; the backing directory is partly written, the next flush (or start) completes it, publish"
                + " waits for that";
        log.error(msg, ex);
        return new FsException(Errno.EIO, msg, ex);
    }

    /**
     * Prepares the flush from {@code flushed} to {@code head} (FlushPreparation), then, under every view's
     * write lock (the switch), commits its redo plan with the delta id, applies it and completes it.
     */
    private FlushResult flush(long head, long flushed, DeltaIdRecord deltaId) throws IOException {
        SnapshotPreservation preservation = new SnapshotPreservation(parts, collector, writer);
        FlushPreparation preparation = new FlushPreparation(parts, meta, writer, preservation, work, head, flushed);
        FlushPlan plan = preparation.prepare();
        List<View> all = lockAll();
        try {
            preparation.preserveLate();
            state.faults.reached(FaultPoint.FLUSH_BEFORE_PLAN_BATCH);
            Batch planBatch = new Batch().put(ColumnFamily.FLUSH, PLAN_KEY, plan.encode());
            // a committed plan always completes (recovery rolls it forward), so its version will be this flush
            if (deltaId != null) planBatch.put(ColumnFamily.DELTA_ID, Bytes.longs(plan.version), deltaId.encode());
            state.store.write(planBatch, true);
            state.faults.reached(FaultPoint.FLUSH_AFTER_PLAN_BATCH);
            try {
                apply(plan);
                complete(plan);
            } catch (IOException | RuntimeException ex) {
                throw stopped(plan, ex);
            }
        } finally {
            for (View v : all) v.lock.writeLock().unlock();
        }
        return new FlushResult(plan.version, plan.identify.size(), plan.bytes, false);
    }

    private void apply(FlushPlan plan) throws IOException {
        state.backing.closeAll();
        boolean first = true;
        work.phase("apply", plan.steps.size(), LongWork.UNKNOWN);
        for (FlushPlan.Step s : plan.steps) {
            if (!first) state.faults.reached(FaultPoint.FLUSH_APPLY_STEP);
            first = false;
            work.advance(1, 0);
            switch (s.kind()) {
                case PATCH -> {
                    try (BackingDir.Entry p = writer.entry(s.path())) {
                        writer.patch(s, plan.head, p);
                    }
                }
                case MOVE_OUT -> moveOut(s);
                case PLACE, REPLACE -> place(s);
                case LINK -> link(s);
                case META -> writer.meta(s.node(), plan.head, s.path());
                case CLEANUP -> writer.deleteTree(EngineConstants.STAGING);
                case FSYNC_DIR -> writer.fsyncDir(s.path());
            }
        }
    }

    /** MOVE_OUT: a replaced or removed name's object into the staging area (skipped once done). */
    private void moveOut(FlushPlan.Step s) throws IOException {
        try (BackingDir.Entry p = writer.entry(s.path())) {
            Long ino = FlushWriter.inoOf(p.path);
            if (ino != null && ino == s.ino()) {
                try (BackingDir.Entry to = writer.entry(FlushWriter.STAGED + s.other())) {
                    Files.move(p.path, to.path, StandardCopyOption.ATOMIC_MOVE);
                    writer.forget(s.path());
                }
            }
        }
    }

    /** PLACE, REPLACE: a staged object onto its name (skipped once the name holds it). */
    private void place(FlushPlan.Step s) throws IOException {
        try (BackingDir.Entry p = writer.entry(s.path())) {
            Long ino = FlushWriter.inoOf(p.path);
            if (ino == null || ino != s.ino()) {
                try (BackingDir.Entry src = writer.entry(FlushWriter.STAGED + s.other())) {
                    if (s.kind() == FlushPlan.Kind.PLACE && FlushWriter.inoOf(src.path) == null) {
                        throw new IOException(
                                "flush plan inconsistent: " + FlushWriter.STAGED + s.other() + " missing");
                    }
                    Files.move(src.path, p.path, StandardCopyOption.ATOMIC_MOVE);
                    writer.forget(FlushWriter.STAGED + s.other());
                    writer.forget(s.path());
                }
            }
        }
    }

    /** LINK: another name of a node already placed (skipped once the name holds it). */
    private void link(FlushPlan.Step s) throws IOException {
        try (BackingDir.Entry p = writer.entry(s.path())) {
            Long ino = FlushWriter.inoOf(p.path);
            if (ino == null || ino != s.ino()) {
                if (ino != null) {
                    Files.delete(p.path);
                    writer.forget(s.path());
                }
                // link(2) does not follow a symlink at the existing name
                try (BackingDir.Entry existing = writer.entry(s.other())) {
                    Files.createLink(p.path, existing.path);
                }
            }
        }
    }

    private void complete(FlushPlan plan) throws IOException {
        Batch b = new Batch();
        Set<Long> written = plan.contentWritten();
        for (FlushPlan.Step s : plan.identify) {
            Map<String, Object> a;
            try (BackingDir.Entry en = writer.at(s.path())) {
                a = Backing.lstat(en.path);
            } catch (NoSuchFileException gone) {
                throw new IOException("flushed object missing: " + s.path(), gone);
            }
            NodeRecord r = versions.node(s.node(), plan.head).copy();
            Identity id = Backing.identity(a);
            if (r.type == FileType.REGULAR) {
                r.chainLayer = new long[0];
                r.chainValid = new long[0];
                r.baseValid = r.size;
            }
            // a file whose content this flush wrote is new content, whatever its inode, size and mtime
            r.setIdentity(id.withGen(written.contains(s.node()) ? plan.version : r.bgen));
            if (r.type == FileType.REGULAR)
                SnapshotPreservation.nameSuccessor(state, versions, b, s.node(), r.identity());
            b.put(ColumnFamily.NODE, Keys.node(s.node(), plan.version), r.encode());
            Collector.enqueueNode(b, s.node()); // supersedes records the change log does not name
        }
        b.put(ColumnFamily.META, Keys.meta("head"), Bytes.longs(plan.version));
        b.put(ColumnFamily.META, Keys.meta("flushed"), Bytes.longs(plan.version));
        b.put(
                ColumnFamily.LOG,
                Bytes.longs(plan.version),
                LogCodec.encode("flush", "", state.clock.nowNanos(), plan.identify.size(), plan.bytes));
        b.delete(ColumnFamily.FLUSH, PLAN_KEY);
        List<View> bumped = new ArrayList<>();
        for (View v : state.views.values()) {
            if (v.snapshot == plan.head) {
                bumped.add(v);
                b.put(
                        ColumnFamily.VIEWS,
                        v.name.getBytes(StandardCharsets.UTF_8),
                        v.encodeAt(plan.version, v.layer, v.pendingBytes));
            }
        }
        state.faults.reached(FaultPoint.FLUSH_BEFORE_COMPLETION);
        state.store.write(b, true);
        state.faults.reached(FaultPoint.FLUSH_AFTER_COMPLETION);
        state.flushed(plan.version);
        state.head(plan.version);
        for (View v : bumped) v.snapshot = plan.version;
        state.backing.closeAll();
    }
}
