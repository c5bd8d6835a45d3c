package io.txfs.core.collection;

import io.txfs.core.format.EntryValue;
import io.txfs.core.format.Keys;
import io.txfs.core.format.NodeRecord;
import io.txfs.core.model.EngineConstants;
import io.txfs.core.model.FaultPoint;
import io.txfs.core.model.FsException;
import io.txfs.core.model.GcPolicy;
import io.txfs.core.model.GcResult;
import io.txfs.core.model.Identity;
import io.txfs.core.model.Isolation;
import io.txfs.core.progress.LongWork;
import io.txfs.core.store.Batch;
import io.txfs.core.store.Bytes;
import io.txfs.core.store.ColumnFamily;
import io.txfs.core.store.KvIterator;
import io.txfs.core.tree.Content;
import io.txfs.core.tree.EngineParts;
import io.txfs.core.tree.EngineState;
import io.txfs.core.tree.View;
import io.txfs.sys.Errno;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.WeakHashMap;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Garbage collection (docs/storage-format.md "Garbage collection", docs/recovery.md). Deletes record
 * versions no reader can see, then the chunks and preserved copies no remaining record names, then
 * change and conflict records below every reader's base. Work comes from a queue (`gc` column family)
 * fed by the `change` log and by flush completions, so a collection costs what changed, not the size
 * of the store. Runs in bounded batches, each under the publish lock and each one atomic store batch
 * that deletes only unreachable keys: a crash between batches leaves garbage, never a dangling reference.
 */
public final class Collector {
    /** Queue entries (or chunk keys) handled per batch: bounds how long one batch holds the publish lock. */
    static final int BATCH = 256;

    private static final byte[] CURSOR = Keys.meta("gcChanges");
    private static final byte[] EMPTY = new byte[0];

    private final EngineState state;

    /** The first version of the newest run of kept versions (Engine#keepFrom). */
    private final LongSupplier keepFrom;

    private final GcPolicy policy;
    /** Pinned read handles (PinnedViews, ViewDiff.baseOf); a pin lasts while its handle is reachable. */
    private final Map<View, Boolean> pins = new WeakHashMap<>();

    private Set<Long> pendingChildren;

    public Collector(EngineParts parts, GcPolicy policy, LongSupplier keepFrom) {
        this.keepFrom = keepFrom;
        this.state = parts.state();
        this.policy = policy;
    }

    /** Makes a handle fixed at a published version and keeps that version readable while it is reachable. */
    public View pin(Supplier<View> make) {
        synchronized (pins) {
            View v = make.get();
            pins.put(v, Boolean.TRUE);
            return v;
        }
    }

    /**
     * View {@code viewId}'s own publish moved its pending records into version {@code to}: its pinned read
     * handles follow them there. A pin reads the view's pending records live and the published state at
     * its version, so one left behind would read the file without the view's own writes once they are
     * published (a descriptor opened after a write reading what was there before it).
     */
    public void advancePins(long viewId, long to) {
        synchronized (pins) {
            for (View p : pins.keySet()) {
                if (p.id == viewId && p.snapshot < to) p.snapshot = to;
            }
        }
    }

    public void unpin(View v) {
        synchronized (pins) {
            pins.remove(v);
        }
    }

    /** The versions reachable pinned handles read. */
    public Set<Long> pinnedVersions() {
        synchronized (pins) {
            Set<Long> out = new HashSet<>();
            for (View p : pins.keySet()) out.add(p.snapshot);
            return out;
        }
    }

    /** The oldest version a reachable pinned handle reads (Long.MAX_VALUE if none). */
    public long oldestPin() {
        synchronized (pins) {
            long min = Long.MAX_VALUE;
            for (View p : pins.keySet()) min = Math.min(min, p.snapshot);
            return min;
        }
    }

    /**
     * The versions that must stay readable, taken under the publish lock (head, flushed and every
     * snapshot change only under it). Read-committed views read the head, which is always kept.
     * {@code keepFrom}..head is the newest run of kept versions ({@link GcPolicy#keepFrom}); {@code points}
     * are the kept versions older than that: the flushed one, snapshots and pinned handles.
     */
    private record Live(
            long head, long retainFrom, long keepFrom, TreeSet<Long> points, long snapshotFloor, Set<Long> layers) {
        /** Whether a kept version sees the record written at {@code from} and superseded at {@code until}. */
        boolean needed(long from, long until) {
            if (from > head || until > keepFrom) return true;
            Long p = points.ceiling(from);
            return p != null && p < until;
        }

        long oldestPoint() {
            return points.isEmpty() ? Long.MAX_VALUE : points.first();
        }
    }

    private Live live() {
        long head = state.head();
        TreeSet<Long> points = new TreeSet<>();
        Set<Long> layers = new HashSet<>();
        long snapshotFloor = head;
        points.add(state.flushed());
        for (View v : state.views.values()) {
            for (long l : v.ownLayers()) layers.add(l);
            if (v.isolation == Isolation.SNAPSHOT) {
                points.add(v.snapshot);
                snapshotFloor = Math.min(snapshotFloor, v.snapshot);
            }
        }
        synchronized (pins) {
            for (View p : pins.keySet()) points.add(p.snapshot);
        }
        return new Live(
                head, policy.retainFrom(head, state.flushed()), keepFrom.getAsLong(), points, snapshotFloor, layers);
    }

    /**
     * Whether version {@code version} is still whole (every record it reads kept), checked by handles on
     * old versions before they pin it. Every kept version was kept by every earlier collection: the
     * newest run only moves forward, and a snapshot or pin reads a version that was kept when it began.
     */
    /** A read-only handle on published version {@code version} (0 to head), pinned while in use. */
    public View versionView(long version) {
        if (version < 0 || version > state.head())
            throw new FsException(Errno.ENOENT, "no version " + version + " (head is " + state.head() + ")");
        // a pin, so the collector keeps the version while the handle is in use; a version it may already have
        // thinned out is refused rather than read from the older records that remain
        return pin(() -> {
            if (!keeps(version)) {
                throw new FsException(
                        Errno.ENOENT,
                        "version " + version + " is no longer kept (kept: the flushed version "
                                + state.flushed() + ", versions " + keepFrom.getAsLong() + " to " + state.head()
                                + ", and those snapshot views or open"
                                + " handles read; txfs mount --keep-versions and --keep-unflushed keep more)");
            }
            View h = View.publishedAt(EngineConstants.PUBLISHED_VIEW, Isolation.SNAPSHOT, 0, 0, version);
            h.historical = true;
            return h;
        });
    }

    public boolean keeps(long version) {
        return version >= keepFrom.getAsLong() || live().points().contains(version);
    }

    /**
     * Waits until no operation of a read-committed view is still reading an older head: such an
     * operation took its version before the publish lock was ours, and may read what this batch deletes.
     * Operations that start later read the head, which is kept. Lock order: publish lock, then view locks.
     */
    private void drainReadCommitted() {
        List<View> rc = new ArrayList<>();
        rc.add(state.published);
        for (View v : state.views.values()) if (v.isolation == Isolation.READ_COMMITTED) rc.add(v);
        for (View v : rc) {
            v.lock.writeLock().lock();
            v.lock.writeLock().unlock();
        }
    }

    private interface Step {
        /** Adds deletions to b; returns whether more work of this kind remains. */
        boolean run(Live live, Batch b);
    }

    /** Runs one step under the publish lock and writes its batch; false when the engine closed. */
    private boolean batch(Step step, boolean[] more) {
        state.publishLock.lock();
        try {
            if (state.closed()) return false;
            Live live = live();
            drainReadCommitted();
            Batch b = new Batch();
            afterBatch.clear();
            more[0] = step.run(live, b);
            if (!b.isEmpty()) {
                state.store.write(b, false);
                state.faults.reached(FaultPoint.GC_BATCH);
            }
            // a crash before this leaves files no key names: the sweep at open removes them
            for (long[] f : afterBatch) state.chunkData.delete(f[0], f[1]);
            afterBatch.clear();
            return true;
        } finally {
            state.publishLock.unlock();
        }
    }

    private boolean loop(LongWork work, Step step) {
        boolean[] more = {true};
        while (more[0]) {
            if (!batch(step, more)) return false;
            work.advance(1, 0);
        }
        return true;
    }

    private long nodes;
    private long entries;
    private long chunks;
    private long preserved;
    /** Entry versions deleted per directory since {@link #takeThinnedDirectories} last ran. */
    private final Map<Long, Integer> dentDeletes = new HashMap<>();
    /** Chunk data files (ino, layer) whose every key the current batch deletes. */
    private final List<long[]> afterBatch = new ArrayList<>();

    /** One whole collection. Callers must not hold the publish lock or any view lock. */
    public synchronized GcResult collect() {
        return collect(LongWork.unwatched());
    }

    /** As {@link #collect()}, counting its batches into {@code work} (a phase per pass; totals unknown). */
    public synchronized GcResult collect(LongWork work) {
        nodes = 0;
        entries = 0;
        chunks = 0;
        preserved = 0;
        pendingChildren = null;
        // Stops early only when the engine closes; what is left waits for the next collection.
        boolean unused = loop(work.phase("queue", LongWork.UNKNOWN, LongWork.UNKNOWN), this::enqueueChanges)
                && loop(
                        work.phase("records", LongWork.UNKNOWN, LongWork.UNKNOWN),
                        new QueueStep(new byte[] {'N'}, this::collectNode))
                && loop(work, new QueueStep(new byte[] {'E'}, this::collectDent))
                && loop(
                        work.phase("content", LongWork.UNKNOWN, LongWork.UNKNOWN),
                        new QueueStep(new byte[] {'C'}, this::collectContent))
                && loop(work.phase("logs", LongWork.UNKNOWN, LongWork.UNKNOWN), this::collectLogs);
        return new GcResult(nodes, entries, chunks, preserved);
    }

    /**
     * The directories from which collections deleted at least {@code min} entry versions since the last
     * call. Deleted keys stay as tombstones that every listing of the directory steps over until a
     * compaction drops them: the caller compacts these directories' ranges.
     */
    synchronized List<Long> takeThinnedDirectories(int min) {
        List<Long> out = new ArrayList<>();
        dentDeletes.entrySet().removeIf(en -> {
            if (en.getValue() < min) return false;
            out.add(en.getKey());
            return true;
        });
        return out;
    }

    // ---------------------------------------------------------------- the queue

    /** Queues every node and entry the change log names after the cursor. */
    private boolean enqueueChanges(Live live, Batch b) {
        byte[] cursor = state.store.get(ColumnFamily.META, CURSOR);
        byte[] from = cursor == null ? EMPTY : Bytes.concat(cursor, new byte[] {0});
        int n = 0;
        byte[] last = null;
        try (KvIterator it = state.store.scan(ColumnFamily.CHANGE, from, EMPTY)) {
            for (; it.valid(); it.next()) {
                if (n++ == BATCH) return finishEnqueue(b, last, true);
                byte[] v = it.value();
                b.put(ColumnFamily.GC, Bytes.concat(new byte[] {v[1]}, Arrays.copyOfRange(v, 2, v.length)), new byte[] {
                    1
                });
                last = it.key();
            }
        }
        return finishEnqueue(b, last, false);
    }

    private static boolean finishEnqueue(Batch b, byte[] last, boolean more) {
        if (last != null) b.put(ColumnFamily.META, CURSOR, last);
        return more;
    }

    /** Queues a node whose record versions flush completion superseded (they are not in the change log). */
    public static void enqueueNode(Batch b, long ino) {
        b.put(ColumnFamily.GC, Bytes.concat(new byte[] {'N'}, Bytes.longs(ino)), new byte[] {1});
    }

    private interface Entry {
        /** Collects what the queue entry (without its kind byte) names; true when it needs no more visits. */
        boolean collect(Live live, byte[] entry, Batch b);
    }

    /** Walks the queue entries of one kind, BATCH per batch, deleting the entries that are done. */
    private final class QueueStep implements Step {
        private final byte[] prefix;
        private final Entry entry;
        private byte[] next;

        QueueStep(byte[] prefix, Entry entry) {
            this.prefix = prefix;
            this.entry = entry;
            this.next = prefix;
        }

        @Override
        public boolean run(Live live, Batch b) {
            int n = 0;
            try (KvIterator it = state.store.scan(ColumnFamily.GC, next, prefix)) {
                for (; it.valid(); it.next()) {
                    if (n++ == BATCH || b.size() >= 4 * BATCH) {
                        next = it.key();
                        return true;
                    }
                    byte[] k = it.key();
                    if (entry.collect(live, Arrays.copyOfRange(k, 1, k.length), b)) {
                        b.delete(ColumnFamily.GC, k);
                    } else if (b.size() >= 4 * BATCH) {
                        next = k; // a full batch of this entry's deletions: visit it again
                        return true;
                    }
                }
            }
            return false;
        }
    }

    // ---------------------------------------------------------------- record versions

    private static long version(byte[] key) {
        return Keys.inv(Bytes.getLong(key, key.length - 8));
    }

    private boolean collectNode(Live live, byte[] entry, Batch b) {
        long ino = Bytes.getLong(entry, 0);
        List<byte[]> keys = new ArrayList<>();
        List<byte[]> values = new ArrayList<>();
        try (KvIterator it = state.store.scan(ColumnFamily.NODE, Bytes.longs(ino))) {
            for (; it.valid(); it.next()) {
                keys.add(it.key());
                values.add(it.value());
            }
        }
        if (keys.isEmpty()) return true;
        long newestVersion = version(keys.get(0));
        boolean gone = ino != EngineConstants.ROOT && NodeRecord.decode(values.get(0)).nlink == 0;
        // A removed node nobody can reach any more goes whole: every kept version sees it removed.
        boolean dead =
                gone && newestVersion <= live.keepFrom() && newestVersion <= live.oldestPoint() && !pendingRefers(ino);
        List<Identity> freed = new ArrayList<>();
        long until = Long.MAX_VALUE;
        int kept = 0;
        boolean deleted = false;
        for (int i = 0; i < keys.size(); i++) {
            long v = version(keys.get(i));
            NodeRecord r = NodeRecord.decode(values.get(i));
            boolean needed = !dead && live.needed(v, until);
            // importDir looks further names of a hard-linked backing file up at version 0
            boolean keepForImport = !dead && !needed && v == 0 && r.hasBase && !r.isDir() && r.nlink > 1;
            if (needed) {
                kept++;
            } else if (!keepForImport) {
                b.delete(ColumnFamily.NODE, keys.get(i));
                nodes++;
                deleted = true;
                if (r.hasBase) freed.add(r.identity());
            }
            until = v;
        }
        if (dead) b.delete(ColumnFamily.IMPORTED, Bytes.longs(ino));
        if (deleted) enqueueContent(ino, freed, b);
        return dead || (kept <= 1 && !gone);
    }

    private boolean pendingRefers(long ino) {
        for (long holder : state.pendingHolders())
            if (state.store.get(ColumnFamily.P_NODE, Keys.pNode(holder, ino)) != null) return true;
        if (pendingChildren == null) {
            Set<Long> children = new HashSet<>();
            try (KvIterator it = state.store.scan(ColumnFamily.P_DENT, EMPTY)) {
                for (; it.valid(); it.next())
                    children.add(EntryValue.decode(it.value()).child());
            }
            pendingChildren = children;
        }
        return pendingChildren.contains(ino);
    }

    /** Queues a content check of node ino, remembering the base identities of the records deleted. */
    private void enqueueContent(long ino, List<Identity> freed, Batch b) {
        byte[] key = Bytes.concat(new byte[] {'C'}, Bytes.longs(ino));
        byte[] old = state.store.get(ColumnFamily.GC, key);
        Set<Identity> ids = new LinkedHashSet<>(decodeIdentities(old));
        ids.addAll(freed);
        byte[] v = new byte[1 + 40 * ids.size()];
        v[0] = 2;
        int off = 1;
        for (Identity id : ids) {
            Bytes.putLong(v, off, id.dev());
            Bytes.putLong(v, off + 8, id.ino());
            Bytes.putLong(v, off + 16, id.size());
            Bytes.putLong(v, off + 24, id.mtimeNs());
            Bytes.putLong(v, off + 32, id.gen());
            off += 40;
        }
        b.put(ColumnFamily.GC, key, v);
    }

    /** Format 1 values (written before identities had a gen) hold 32-byte identities of gen 0. */
    private static List<Identity> decodeIdentities(byte[] v) {
        List<Identity> out = new ArrayList<>();
        if (v == null) return out;
        int size = v[0] == 1 ? 32 : 40;
        for (int off = 1; off + size <= v.length; off += size) {
            out.add(new Identity(
                    Bytes.getLong(v, off),
                    Bytes.getLong(v, off + 8),
                    Bytes.getLong(v, off + 16),
                    Bytes.getLong(v, off + 24),
                    size == 40 ? Bytes.getLong(v, off + 32) : 0));
        }
        return out;
    }

    private boolean collectDent(Live live, byte[] entry, Batch b) {
        long parent = Bytes.getLong(entry, 0);
        byte[] name = Arrays.copyOfRange(entry, 8, entry.length);
        List<byte[]> keys = new ArrayList<>();
        List<byte[]> values = new ArrayList<>();
        try (KvIterator it = state.store.scan(ColumnFamily.DENT, Keys.dentName(parent, name))) {
            for (; it.valid(); it.next()) {
                keys.add(it.key());
                values.add(it.value());
            }
        }
        long until = Long.MAX_VALUE;
        List<Integer> kept = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            long v = version(keys.get(i));
            if (live.needed(v, until)) {
                kept.add(i);
            } else {
                b.delete(ColumnFamily.DENT, keys.get(i));
                entries++;
                dentDeletes.merge(parent, 1, Integer::sum);
            }
            until = v;
        }
        // The oldest kept record saying "deleted" reads the same as no record at all.
        if (!kept.isEmpty()) {
            int last = kept.get(kept.size() - 1);
            if (EntryValue.decode(values.get(last)).child() == 0 && version(keys.get(last)) <= live.head()) {
                b.delete(ColumnFamily.DENT, keys.get(last));
                entries++;
                dentDeletes.merge(parent, 1, Integer::sum);
                kept.remove(kept.size() - 1);
            }
        }
        return kept.isEmpty()
                || (kept.size() == 1
                        && EntryValue.decode(values.get(kept.get(0))).child() != 0);
    }

    // ---------------------------------------------------------------- chunks and preserved copies

    /** Deletes the chunks of node ino in layers no remaining record names, and unnamed preserved copies. */
    private boolean collectContent(Live live, byte[] entry, Batch b) {
        long ino = Bytes.getLong(entry, 0);
        Set<Long> layers = new HashSet<>(live.layers()); // views' own layers: being written, not yet named
        Set<Identity> bases = new HashSet<>();
        Predicate<byte[]> name = val -> {
            NodeRecord r = NodeRecord.decode(val);
            for (long l : r.chainLayer) layers.add(l);
            if (r.hasBase) bases.add(r.identity());
            return true;
        };
        try (KvIterator it = state.store.scan(ColumnFamily.NODE, Bytes.longs(ino))) {
            for (; it.valid(); it.next()) name.test(it.value());
        }
        for (long holder : state.pendingHolders()) {
            byte[] p = state.store.get(ColumnFamily.P_NODE, Keys.pNode(holder, ino));
            if (p != null) name.test(p);
        }
        int deletes = 0;
        Set<Long> dataFiles = new HashSet<>();
        try (KvIterator it = state.store.scan(ColumnFamily.CHUNK, Bytes.longs(ino))) {
            for (; it.valid(); it.next()) {
                long layer = Bytes.getLong(it.key(), 16);
                if (layers.contains(layer)) continue;
                if (deletes++ == 4 * BATCH) return false; // the rest (and the data files) in the next visit
                b.delete(ColumnFamily.CHUNK, it.key());
                if (Content.isExternal(it.value())) dataFiles.add(layer);
                chunks++;
            }
        }
        // every key of these unnamed layers goes in this batch: their files go once it is written
        for (long layer : dataFiles) afterBatch.add(new long[] {ino, layer});
        // a partial copy is also read through by older copies whose successor it is (PreservedCopies)
        preserved += PreservedCopies.dropUnreachable(
                state.store,
                b,
                decodeIdentities(state.store.get(ColumnFamily.GC, Bytes.concat(new byte[] {'C'}, entry))),
                bases);
        return true;
    }

    // ---------------------------------------------------------------- change and conflict records

    /**
     * Change records are read for ranges (from, to] with from = a snapshot view's version, the flushed
     * version, or (for tools) a kept version; conflict records for versions after the oldest base a
     * view's pending keys (or a snapshot view's future keys) were read at.
     */
    private boolean collectLogs(Live live, Batch b) {
        byte[] cursor = state.store.get(ColumnFamily.META, CURSOR);
        long queued = cursor == null ? 0 : Bytes.getLong(cursor, 0) - 1; // versions fully queued
        long changeFloor = Math.min(Math.min(live.retainFrom(), live.snapshotFloor()), queued);
        try (KvIterator first = state.store.scan(ColumnFamily.CHANGE, EMPTY)) {
            if (first.valid() && Bytes.getLong(first.key(), 0) <= changeFloor) {
                b.deleteRange(ColumnFamily.CHANGE, Bytes.longs(0), Bytes.longs(changeFloor + 1));
            }
        }
        long conflictFloor = live.snapshotFloor();
        try (KvIterator first = state.store.scan(ColumnFamily.CONFLICT, EMPTY)) {
            if (!first.valid() || Bytes.getLong(first.key(), 0) > conflictFloor) return false;
        }
        try (KvIterator it = state.store.scan(ColumnFamily.P_KEY, EMPTY)) {
            for (; it.valid(); it.next()) conflictFloor = Math.min(conflictFloor, Bytes.getLong(it.value(), 0));
        }
        if (conflictFloor > 0) b.deleteRange(ColumnFamily.CONFLICT, Bytes.longs(0), Bytes.longs(conflictFloor + 1));
        return false;
    }
}
