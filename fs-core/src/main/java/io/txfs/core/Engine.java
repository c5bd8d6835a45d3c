package io.txfs.core;

import io.txfs.core.progress.LongWork;
import io.txfs.core.progress.LongWorks;
import io.txfs.core.store.Batch;
import io.txfs.core.store.Bytes;
import io.txfs.core.store.ColumnFamily;
import io.txfs.core.store.KvIterator;
import io.txfs.core.store.MemoryStore;
import io.txfs.core.store.RocksStore;
import io.txfs.core.store.Store;
import io.txfs.core.store.StoreException;
import io.txfs.core.store.StoreMemory;
import io.txfs.sys.Errno;
import io.txfs.sys.PathCalls;
import io.txfs.sys.RawPaths;
import io.txfs.sys.Xattrs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transactional engine: views over the published state over the backing directory, node-addressed
 * POSIX operations, publish, flush. Thread-safe. See docs/engine.md, docs/concurrency.md.
 */
public final class Engine implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Engine.class);

    public static final long ROOT = 1;
    public static final int CHUNK = 64 * 1024;
    public static final long MAX_FILE_SIZE = 1L << 44;
    public static final int NAME_MAX = 255;
    public static final int RENAME_NOREPLACE = 1;
    public static final int RENAME_EXCHANGE = 2;
    public static final int XATTR_CREATE = 1;
    public static final int XATTR_REPLACE = 2;
    public static final String PUBLISHED_VIEW = "@published";
    static final String STAGING = ".txfs.flush";
    static final byte[] RESERVED = ".txfs".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DOT = {'.'};
    private static final byte[] DOTDOT = {'.', '.'};
    private static final byte[] EMPTY = new byte[0];
    /**
     * The store's format (META "format"): 2 since chunk values may name data files, 3 since preserved
     * copies are keyed by an identity with its gen (Identity), 4 since a preserved copy may be partial,
     * naming its successor (PreservedMarker; format-3 markers read as complete copies, as they are).
     */
    static final byte FORMAT = 4;

    /** How to open an engine. store null means RocksDB in stateDir/db. */
    public record Config(
            Path backing,
            Path stateDir,
            Store store,
            Clock clock,
            FaultInjector faults,
            EngineListener listener,
            GcPolicy gc,
            LongWorks works) {
        public Config {
            if (works == null) works = LongWorks.system();
            if (clock == null) clock = Clock.SYSTEM;
            if (faults == null) faults = FaultInjector.NONE;
            if (listener == null) listener = EngineListener.NONE;
            if (gc == null) gc = GcPolicy.DEFAULT;
        }

        public Config(
                Path backing,
                Path stateDir,
                Store store,
                Clock clock,
                FaultInjector faults,
                EngineListener listener,
                GcPolicy gc) {
            this(backing, stateDir, store, clock, faults, listener, gc, null);
        }

        public Config(
                Path backing, Path stateDir, Store store, Clock clock, FaultInjector faults, EngineListener listener) {
            this(backing, stateDir, store, clock, faults, listener, null, null);
        }

        public static Config rocks(Path backing, Path stateDir) {
            return new Config(backing, stateDir, null, null, null, null);
        }

        public static Config memory(Path backing, MemoryStore store) {
            return new Config(backing, null, store, null, null, null);
        }

        public Config withFaults(FaultInjector f) {
            return new Config(backing, stateDir, store, clock, f, listener, gc, works);
        }

        public Config withClock(Clock c) {
            return new Config(backing, stateDir, store, c, faults, listener, gc, works);
        }

        public Config withListener(EngineListener l) {
            return new Config(backing, stateDir, store, clock, faults, l, gc, works);
        }

        /** Where long operations (recovery at open among them) report their progress. */
        public Config withWorks(LongWorks w) {
            return new Config(backing, stateDir, store, clock, faults, listener, gc, w);
        }

        public Config withGc(GcPolicy g) {
            return new Config(backing, stateDir, store, clock, faults, listener, g, works);
        }
    }

    final Store store;
    /** Where the store and chunk files live (null for engines over a MemoryStore without one). */
    private final Path stateDir;
    /** Own-layer bytes given back since the store last compacted (compactAfterReclaim). */
    private final AtomicLong reclaimedSinceCompaction = new AtomicLong();
    /** Chunk bytes outside the store (Content): files in stateDir/chunks, or the heap for memory stores. */
    final ChunkData chunkData;

    final Clock clock;
    final FaultInjector faults;
    final EngineListener listener;
    final LongWorks works;
    final Backing backing;
    private final FileChannel lockChannel;
    private final FileLock lockFile;
    final IdAllocator ids;
    final IdAllocator layers;
    private final IdAllocator viewIds;
    volatile long head;
    volatile long flushed;
    final Map<String, View> views = new ConcurrentHashMap<>();
    final View published;
    /** Serializes publish, flush, abort, refresh, view creation; taken before any view lock. */
    final ReentrantLock publishLock = new ReentrantLock();
    /** Serializes imports of backing listings, and the take-in of outside changes against them. */
    final Object importLock = new Object();
    /** Directories whose backing listing is in version 0 (a cache of the IMPORTED column family). */
    final Set<Long> imported = ConcurrentHashMap.newKeySet();
    /** Directories seen by {@link #dir} that have no backing listing: their version-0 entries never change. */
    private final Set<Long> unbackedDirs = ConcurrentHashMap.newKeySet();
    /** Published records and entries already read (docs/concurrency.md says why it is never stale). */
    final PublishedCache publishedCache = new PublishedCache();
    /** Subdirectory counts (DirLinks), valid while no mkdir, rmdir or rename committed since. */
    final DirLinks dirLinks = new DirLinks();

    private final Flusher flusher;
    /** Changes made to the backing directory behind the daemon's back (docs/outside-changes.md). */
    final OutsideChanges outside = new OutsideChanges(this);

    final Collector collector;
    private final GcPolicy gcPolicy;
    /** Runs automatic collections off the caller's thread, so flush and open do not wait for them. */
    private final ExecutorService gcThread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "txfs-gc");
        t.setDaemon(true);
        return t;
    });

    private final AtomicBoolean gcScheduled = new AtomicBoolean();
    volatile boolean closed;
    /** A flush is changing the backing directory: quick outside-change checks wait for its records (OutsideChanges). */
    volatile boolean flushRunning;
    /** The first version from which every publish wrote subtree marks (SubtreeVersions). */
    private long subtreeFrom;

    private volatile VersionHook versionHook = VersionHook.NONE;
    /** The group commit of the shared default view, if the mount has one (docs/views.md, "Group commit"). */
    private volatile GroupCommit group;

    /** The long operations running now (flush, gc, …), for progress shown by any client. */
    public LongWorks works() {
        return works;
    }

    public static Engine open(Config config) {
        return new Engine(config);
    }

    private Engine(Config c) {
        this.clock = c.clock();
        this.faults = c.faults();
        this.listener = c.listener();
        this.works = c.works();
        FileChannel lc = null;
        FileLock lk = null;
        Store s = c.store();
        try {
            if (c.stateDir() != null) {
                Files.createDirectories(
                        c.stateDir(),
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                Files.setPosixFilePermissions(c.stateDir(), PosixFilePermissions.fromString("rwx------"));
                lc = FileChannel.open(
                        c.stateDir().resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                try {
                    lk = lc.tryLock();
                } catch (OverlappingFileLockException sameProcess) {
                    lk = null;
                }
                if (lk == null) {
                    lc.close();
                    throw new FsException(
                            Errno.EBUSY, "state directory " + c.stateDir() + " is in use by another engine");
                }
                if (s == null) s = new RocksStore(c.stateDir().resolve("db"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("open state directory " + c.stateDir(), e);
        }
        if (s == null) throw new IllegalArgumentException("no store and no state directory");
        this.lockChannel = lc;
        this.lockFile = lk;
        this.stateDir = c.stateDir();
        emptyScratch();
        this.chunkData =
                c.stateDir() != null ? new FileChunkData(c.stateDir().resolve("chunks")) : MemoryChunkData.of(s);
        this.store = new DataFirstStore(s, chunkData);
        this.backing = new Backing(c.backing(), s, this::backingPath, this::backingIdentity);
        this.ids = new IdAllocator(s, "nextId", ROOT + 1);
        this.layers = new IdAllocator(s, "nextLayer", 1);
        this.viewIds = new IdAllocator(s, "nextView", 1);
        this.published = new View(PUBLISHED_VIEW, 0, Isolation.READ_COMMITTED, 0, 0, 0, 0, 0);
        initialize();
        this.flusher = new Flusher(this);
        this.gcPolicy = c.gc();
        this.collector = new Collector(this, c.gc());
        flusher.recover();
        sweepChunkData();
        this.idFloor = oldestWithoutDeltaId();
        if (gcPolicy.auto()) collectAfter("open");
        recountPendingBytes();
        log.info("engine open: backing {}, head {}, flushed {}, {} views", c.backing(), head, flushed, views.size());
    }

    private void initialize() {
        byte[] h = store.get(ColumnFamily.META, Keys.meta("head"));
        if (h == null) {
            NodeRecord root = importRecord("", List.of());
            Batch b = new Batch();
            b.put(ColumnFamily.NODE, Keys.node(ROOT, 0), root.encode());
            b.put(ColumnFamily.META, Keys.meta("format"), new byte[] {FORMAT});
            b.put(ColumnFamily.META, Keys.meta("head"), Bytes.longs(0));
            b.put(ColumnFamily.META, Keys.meta("flushed"), Bytes.longs(0));
            store.write(b, true);
            head = 0;
            flushed = 0;
        } else {
            head = Bytes.getLong(h, 0);
            flushed = Bytes.getLong(store.get(ColumnFamily.META, Keys.meta("flushed")), 0);
            checkSameBacking();
            byte[] f = store.get(ColumnFamily.META, Keys.meta("format"));
            if (f == null || f[0] < FORMAT) {
                // format 1 stores hold only inline chunks, which format 2 still reads
                Batch up = new Batch();
                if (f == null || f[0] < 3) keyPreservedCopiesByGen(up);
                up.put(ColumnFamily.META, Keys.meta("format"), new byte[] {FORMAT});
                store.write(up, true);
            } else if (f[0] > FORMAT) {
                throw new FsException(Errno.EIO, "the store has format " + f[0] + "; this txfs reads up to " + FORMAT);
            }
        }
        subtreeFrom = SubtreeVersions.initialize(this);
        try (KvIterator it = store.scan(ColumnFamily.VIEWS, EMPTY)) {
            for (; it.valid(); it.next()) {
                String name = new String(it.key(), StandardCharsets.UTF_8);
                View v = View.decode(name, it.value());
                v.pending = new PendingCache();
                try (KvIterator p = store.scan(ColumnFamily.P_NODE, Bytes.longs(v.id))) {
                    if (p.valid()) v.changes = 1;
                }
                views.put(name, v);
            }
        }
    }

    /** Format 3: preserved copies of formats 1 and 2 (key without gen) get the key of gen 0. */
    private void keyPreservedCopiesByGen(Batch up) {
        try (KvIterator it = store.scan(ColumnFamily.PRESERVED, EMPTY)) {
            for (; it.valid(); it.next()) {
                byte[] k = it.key();
                if (k.length != 40) continue;
                byte[] nk = new byte[48];
                System.arraycopy(k, 0, nk, 0, 32);
                System.arraycopy(k, 32, nk, 40, 8);
                up.delete(ColumnFamily.PRESERVED, k);
                up.put(ColumnFamily.PRESERVED, nk, it.value());
            }
        }
    }

    /** The state was made for one backing directory; opening it over another would mix the two. */
    private void checkSameBacking() {
        NodeRecord root = publishedNode(ROOT, flushed); // version 0 may be collected
        try {
            Map<String, Object> a = Backing.lstat(backing.root);
            if (root != null
                    && root.hasBase
                    && (root.bdev != (Long) a.get("dev") || root.bino != (Long) a.get("ino"))) {
                log.error(
                        "state directory was made for another backing directory (dev {} ino {}), now {} is dev {} ino {};"
                                + " backing files will read as changed outside txfs",
                        root.bdev,
                        root.bino,
                        backing.root,
                        a.get("dev"),
                        a.get("ino"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("stat backing root " + backing.root, e);
        }
    }

    // ---------------------------------------------------------------- views

    public View createView(String name, Isolation isolation, int ownerUid) {
        return createView(name, isolation, ownerUid, false);
    }

    /** {@code anonymous}: made without a name, ending once it holds nothing and no process is in it ({@link View#anonymous}). */
    public View createView(String name, Isolation isolation, int ownerUid, boolean anonymous) {
        checkViewName(name);
        observeGroup(null); // a new view begins on a state that holds every operation that returned
        publishLock.lock();
        try {
            checkOpen();
            if (views.containsKey(name)) throw new FsException(Errno.EEXIST, "view " + name + " exists");
            View v = new View(
                    name, viewIds.next(), isolation, ownerUid, clock.nowNanos(), head, layers.next(), 0, anonymous);
            v.pending = new PendingCache();
            store.write(new Batch().put(ColumnFamily.VIEWS, name.getBytes(StandardCharsets.UTF_8), v.encode()), false);
            views.put(name, v);
            return v;
        } finally {
            publishLock.unlock();
        }
    }

    private static void checkViewName(String name) {
        if (name.isEmpty()
                || name.length() > 200
                || name.contains("/")
                || name.indexOf('\0') >= 0
                || name.startsWith("@")) {
            throw new FsException(Errno.EINVAL, "bad view name '" + name + "'");
        }
    }

    /** The view, or ENOENT. {@link #PUBLISHED_VIEW} names the published pseudo-view. */
    public View view(String name) {
        if (PUBLISHED_VIEW.equals(name)) return published;
        View v = views.get(name);
        if (v == null) throw new FsException(Errno.ENOENT, "no view " + name);
        return v;
    }

    /** What the store holds in memory against its budget now (txfs stats). */
    public StoreMemory storeMemory() {
        return store.memory();
    }

    public View published() {
        return published;
    }

    /** The engine's clock: what the mount side stamps times with (utimensat's UTIME_NOW), so tests control it. */
    public Clock clock() {
        return clock;
    }

    /**
     * A read-only handle named {@code name} on the published state as it is at each access: what a view that
     * has not begun yet reads (a session's default view before its first write). It holds nothing, so the
     * view begun at that first write ({@link #createView}, read-committed) reads the very same state.
     */
    public View notYetBegun(String name, int ownerUid) {
        return new View(name, 0, Isolation.READ_COMMITTED, ownerUid, 0, head, 0, 0);
    }

    public List<ViewInfo> listViews() {
        List<ViewInfo> out = new ArrayList<>();
        for (View v : views.values()) out.add(v.info());
        out.sort(Comparator.comparing(ViewInfo::name));
        return out;
    }

    /**
     * Per view, the bytes garbage collection keeps only for the version it reads (PinnedBytes;
     * docs/storage-format.md, "Pinned bytes"). Costs a scan of the collector's queue and one seek per
     * preserved copy. Taken without the publish lock, so `txfs views` does not wait for a running flush:
     * during a publish, flush or collection the numbers are those of a moment before or after it.
     */
    public Map<String, Long> pinnedBytes() {
        return PinnedBytes.byView(this, keepFrom(), flushed, collector.pinnedVersions());
    }

    public long headVersion() {
        observeGroup(null);
        return head;
    }

    public long flushedVersion() {
        return flushed;
    }

    /** Discards the pending delta; the view continues empty on the newest published state. */
    public ChangeSet abort(View v) {
        return changingView(v, () -> dropPending(v, false));
    }

    /**
     * Discards the pending delta and the view itself; returns what its kernel-facing side may have
     * cached of the dropped changes. Its name is free again: a view created under it later is a new one.
     */
    public ChangeSet discard(View v) {
        return changingView(v, () -> dropPending(v, true));
    }

    /**
     * Removes the view as {@link #discard} does, but only if it has no pending change (its delta is empty:
     * made and undone counts as nothing); else changes nothing and returns null. One step under the view's
     * write lock, so no write slips in between the check and the removal.
     */
    public ChangeSet discardIfUnchanged(View v) {
        return changingView(v, () -> v.discarded || !pendingDelta(v).isEmpty() ? null : dropPending(v, true));
    }

    /** Runs f on a view that may change, holding the publish lock and the view's write lock (in that order). */
    private <T> T changingView(View v, Supplier<T> f) {
        requireWritable(v);
        refuseGroupView(v);
        publishLock.lock();
        v.lock.writeLock().lock();
        try {
            checkOpen();
            return f.get();
        } finally {
            v.lock.writeLock().unlock();
            publishLock.unlock();
        }
    }

    private ChangeSet dropPending(View v, boolean remove) {
        long dropped = v.pendingBytes;
        Batch b = new Batch();
        List<Long> ownData = new ArrayList<>();
        long oldLayer = v.layer;
        Set<Long> nodes = new HashSet<>();
        Set<ChangeSet.Entry> entries = new HashSet<>();
        byte[] prefix = Bytes.longs(v.id);
        try (KvIterator it = store.scan(ColumnFamily.P_NODE, prefix)) {
            for (; it.valid(); it.next()) {
                long id = Bytes.getLong(it.key(), 8);
                nodes.add(id);
                NodeRecord r = NodeRecord.decode(it.value());
                if (r.chainLayer.length > 0 && r.chainLayer[0] == v.layer) {
                    deleteLayerChunks(b, id, v.layer, 0);
                    ownData.add(id);
                }
                b.delete(ColumnFamily.P_NODE, it.key());
            }
        }
        try (KvIterator it = store.scan(ColumnFamily.P_DENT, prefix)) {
            for (; it.valid(); it.next()) {
                byte[] k = it.key();
                entries.add(new ChangeSet.Entry(Bytes.getLong(k, 8), Arrays.copyOfRange(k, 16, k.length)));
                b.delete(ColumnFamily.P_DENT, k);
            }
        }
        try (KvIterator it = store.scan(ColumnFamily.P_KEY, prefix)) {
            for (; it.valid(); it.next()) b.delete(ColumnFamily.P_KEY, it.key());
        }
        long old = v.snapshot;
        v.layer = layers.next();
        v.snapshot = head;
        v.pendingBytes = 0;
        v.changes = 0;
        byte[] name = v.name.getBytes(StandardCharsets.UTF_8);
        if (remove) b.delete(ColumnFamily.VIEWS, name);
        else b.put(ColumnFamily.VIEWS, name, v.encode());
        try {
            store.write(b, false);
        } finally {
            if (v.pending != null) v.pending.clear();
        }
        for (long id : ownData)
            chunkData.delete(id, oldLayer); // after the batch: a crash before leaves them to the sweep
        // the layer's chunk files went just now; its first chunks (in the store) go at a compaction
        if (dropped > 0 && reclaimedSinceCompaction.addAndGet(dropped) >= COMPACT_AFTER_BYTES)
            compactAfter("a discard");
        if (remove) {
            v.discarded = true;
            views.remove(v.name);
        }
        ChangeSet newer = v.isolation == Isolation.SNAPSHOT ? changesBetween(old, head) : ChangeSet.empty();
        nodes.addAll(newer.inodes());
        entries.addAll(newer.entries());
        return new ChangeSet(nodes, entries);
    }

    /**
     * Moves a view onto the newest published state, its pending delta staying on top (a rebase; SPEC:
     * {@code txfs refresh}). Refused with {@link RefreshConflictException} and nothing changed when a path
     * the view changed was published since the base of that change, by the rules a publish applies
     * (Publisher): refreshing then would hide the other's change under the view's without anyone
     * choosing. Returns what the view's kernel-facing side may have cached of the state it leaves.
     */
    public ChangeSet refresh(View v) {
        observeGroup(v);
        publishLock.lock();
        v.lock.writeLock().lock();
        try {
            checkOpen();
            if (v.id != 0) {
                List<String> conflicts = new Publisher(this).conflicts(v);
                if (!conflicts.isEmpty()) throw new RefreshConflictException(v.name, conflicts);
            }
            long old = v.snapshot;
            v.snapshot = head;
            if (v.id != 0)
                store.write(
                        new Batch().put(ColumnFamily.VIEWS, v.name.getBytes(StandardCharsets.UTF_8), v.encode()),
                        false);
            return v.isolation == Isolation.SNAPSHOT ? changesBetween(old, head) : ChangeSet.empty();
        } catch (StoreException e) {
            throw storeError(e);
        } finally {
            v.lock.writeLock().unlock();
            publishLock.unlock();
        }
    }

    /** Everything published in versions (from, to]. */
    ChangeSet changesBetween(long from, long to) {
        Set<Long> nodes = new HashSet<>();
        Set<ChangeSet.Entry> entries = new HashSet<>();
        if (to <= from) return new ChangeSet(nodes, entries);
        try (KvIterator it = store.scan(ColumnFamily.CHANGE, Bytes.longs(from + 1), EMPTY)) {
            for (; it.valid(); it.next()) {
                if (Bytes.getLong(it.key(), 0) > to) break;
                byte[] v = it.value();
                if (v[1] == 'N') nodes.add(Bytes.getLong(v, 2));
                else entries.add(new ChangeSet.Entry(Bytes.getLong(v, 2), Arrays.copyOfRange(v, 10, v.length)));
            }
        }
        return new ChangeSet(nodes, entries);
    }

    // ---------------------------------------------------------------- publish

    public PublishResult publish(View v, boolean force) {
        GroupCommit g = group;
        if (g != null && g.view() == v) {
            return publish(v, true, false); // the group's own view publishes as its groups do: forced
        }
        // a view's publish comes after the group's operations that returned before it: first committer wins
        observeGroup(v);
        return publish(v, force, false);
    }

    /**
     * Publishes the view's pending delta, forced, if anything was committed to it since its last publish;
     * else null. For {@link GroupCommit}.
     */
    PublishResult publishIfChanged(View v) {
        return publish(v, true, true);
    }

    private PublishResult publish(View v, boolean force, boolean onlyIfChanged) {
        PublishResult r = publishLocked(v, force, onlyIfChanged);
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
        for (var en : visible.entrySet()) listener.visibleChange(en.getKey(), en.getValue());
    }

    private PublishResult publishLocked(View v, boolean force, boolean onlyIfChanged) {
        requireWritable(v);
        publishLock.lock();
        v.lock.writeLock().lock();
        try {
            checkOpen();
            if (onlyIfChanged && v.changes == 0) return null;
            String stopped = flusher.incomplete();
            if (stopped != null) {
                // the committed plan of that flush owns the next version number
                throw new FsException(
                        Errno.EIO,
                        "a flush stopped after committing its plan (" + stopped
                                + "); flush again to complete it before publishing");
            }
            PublishResult r = new Publisher(this).publish(v, force);
            collector.advancePins(v.id, r.version());
            versionHook.published(r.version());
            thinAfterPublish();
            return r;
        } catch (StoreException e) {
            throw storeError(e);
        } finally {
            v.lock.writeLock().unlock();
            publishLock.unlock();
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
        observeGroup(null); // a flush writes every operation that returned before it
        publishLock.lock();
        try {
            checkOpen();
            // Set before waiting for the delta ids: their worker reads trees, and a read that found an
            // outside change would take it in under the publish lock this thread holds while it waits.
            flushRunning = true;
            try (LongWork work = works.start("flush")) {
                // derived work that reads old versions finishes before the backing directory changes
                work.phase("delta ids", LongWork.UNKNOWN, LongWork.UNKNOWN);
                DeltaIdRecord id = head == flushed ? null : versionHook.beforeFlush(flushed, head);
                r = flusher.flush(id, work);
            } finally {
                flushRunning = false;
            }
        } catch (StoreException e) {
            throw storeError(e);
        } finally {
            publishLock.unlock();
        }
        if (gcPolicy.auto() && !r.nothingToDo()) collectAfter("flush");
        return r;
    }

    /**
     * Deletes what no reader can reach any more (docs/storage-format.md, "Garbage collection"), in
     * bounded batches; views keep working meanwhile, publish and flush wait for the current batch.
     */
    public GcResult collectGarbage() {
        try {
            return collector.collect();
        } catch (StoreException e) {
            throw storeError(e);
        }
    }

    /**
     * {@code txfs gc}: a whole collection now, the pending bytes of every view counted again from what
     * their layers store, then the store compacted (memtables made durable so old WAL files go,
     * tombstones and dead blob values dropped). Reports the state directory's bytes before and after.
     * Views keep working; publish and flush wait only for the collection's current batch.
     */
    public GcReport gc() {
        long t0 = System.nanoTime();
        long before = stateBytes();
        try (LongWork work = works.start("gc")) {
            GcResult r = collector.collect(work);
            work.phase("recount", views.size(), LongWork.UNKNOWN);
            for (View v : views.values()) {
                OwnLayerSpace.recount(this, v);
                work.advance(1, 0);
            }
            work.phase("compact", LongWork.UNKNOWN, LongWork.UNKNOWN);
            if (!closed) store.compact();
            reclaimedSinceCompaction.set(0);
            return new GcReport(before, stateBytes(), r, (System.nanoTime() - t0) / 1_000_000);
        } catch (StoreException e) {
            throw storeError(e);
        }
    }

    /** Bytes of the state directory (store and chunk files); the store's estimate when it has none. */
    /**
     * Where the daemon keeps files of work in progress (an import's spooled layer): in the state directory,
     * whose filesystem was chosen for txfs's data and is counted in {@link #stateBytes}, not the system's
     * temporary directory (often small, or memory). Emptied at open: a spool a killed daemon left is garbage.
     * Null without a state directory (an in-memory store): use the system's.
     */
    public Path scratchDirectory() throws IOException {
        if (stateDir == null) return null;
        Path dir = stateDir.resolve("scratch");
        Files.createDirectories(dir);
        return dir;
    }

    private void emptyScratch() {
        if (stateDir == null) return;
        Path dir = stateDir.resolve("scratch");
        if (!Files.isDirectory(dir)) return;
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) Files.deleteIfExists(f);
        } catch (IOException e) {
            log.warn("cannot empty {}: {}", dir, e.toString());
        }
    }

    public long stateBytes() {
        return stateDir != null ? StateSize.of(stateDir) : store.approximateSize();
    }

    /**
     * The mount no longer refers to node ino of view v (the kernel forgot it, no descriptor is open): if
     * the view removed the node, nobody can read its own-layer chunks any more, so they go now (and the
     * view's pendingBytes with them). Returns the bytes given back. A quick look without the view's lock
     * first: most forgotten nodes are not removed ones.
     */
    public long forgotten(View v, long ino) {
        if (v.id == 0 || v.discarded || closed) return 0;
        try {
            byte[] p = store.get(ColumnFamily.P_NODE, Keys.pNode(v.id, ino));
            if (p == null || !OwnLayerSpace.removedWithOwnChunks(NodeRecord.decode(p), v.layer)) return 0;
            long freed = mutate(v, c -> OwnLayerSpace.reclaimRemoved(this, c, ino));
            if (freed > 0 && reclaimedSinceCompaction.addAndGet(freed) >= COMPACT_AFTER_BYTES)
                compactAfter("removed files");
            return freed;
        } catch (StoreException e) {
            throw storeError(e);
        }
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
    private void thinAfterPublish() {
        long window = gcPolicy.keepUnflushed();
        if (!gcPolicy.auto() || head - flushed <= window || head - thinnedAt < Math.max(1, window / 2)) return;
        thinnedAt = head;
        collectAfter("publishes");
    }

    /** Schedules an automatic collection on the gc thread (one pending at most). */
    private void collectAfter(String when) {
        onGcThread(gcScheduled, "gc after " + when, () -> {
            GcResult g = collector.collect();
            if (g.deletedAnything()) log.debug("gc after {}: {}", when, g);
            if (g.chunks() >= COMPACT_AFTER_CHUNKS && !closed) compact(when);
            compactThinnedDirectories();
        });
    }

    /** Tests: waits until what the gc thread was given so far has run (it runs tasks in order). */
    void awaitGcThread() throws Exception {
        gcThread.submit(() -> {}).get();
    }

    /** Entry versions deleted from one directory before its range is compacted (a listing steps over each). */
    static final int COMPACT_DIRECTORY_AFTER = 512;

    /** Compacts the entry ranges of directories the collector thinned, so their listings stop stepping over tombstones. */
    private void compactThinnedDirectories() {
        for (long dir : collector.takeThinnedDirectories(COMPACT_DIRECTORY_AFTER)) {
            // under the publish lock, which close takes first: the store is never closed under a compaction
            publishLock.lock();
            try {
                if (closed) return;
                store.compact(ColumnFamily.DENT, Bytes.longs(dir), Bytes.longs(dir + 1));
            } catch (StoreException e) {
                log.warn(
                        "compacting the entries of directory {}: {}",
                        dir,
                        e.getMessage()); // only its listings stay slower
            } finally {
                publishLock.unlock();
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
    private void recountPendingBytes() {
        onGcThread(null, "counting pending bytes", () -> {
            for (View v : views.values()) {
                if (closed) return;
                OwnLayerSpace.recount(this, v);
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
                    if (!closed) task.run();
                } catch (RuntimeException e) {
                    if (!closed) log.warn("{} stopped: {}", what, e.toString());
                }
            });
        } catch (RejectedExecutionException closing) {
            if (scheduled != null) scheduled.set(false);
        }
    }

    private void compact(String when) {
        reclaimedSinceCompaction.set(0);
        long t0 = System.nanoTime();
        store.compact();
        log.debug("store compacted after {} in {} ms", when, (System.nanoTime() - t0) / 1_000_000);
    }

    /**
     * The newest version at or below {@code version} in which node {@code ino} or anything in its subtree
     * changed (never below the first version with marks), or -1 if the store holds no marks for that
     * version. Equal answers for two versions mean the node's subtree is the same in both.
     */
    public long subtreeChangedAt(long ino, long version) {
        try {
            return SubtreeVersions.changedAt(this, ino, version, subtreeFrom);
        } catch (StoreException e) {
            throw storeError(e);
        }
    }

    /** A read-only handle on published version {@code version} (0 to head), for tools that compare versions. */
    public View versionView(long version) {
        if (version < 0 || version > head)
            throw new FsException(Errno.ENOENT, "no version " + version + " (head is " + head + ")");
        // a pin, so the collector keeps the version while the handle is in use; a version it may already have
        // thinned out is refused rather than read from the older records that remain
        return collector.pin(() -> {
            if (!collector.keeps(version)) {
                throw new FsException(
                        Errno.ENOENT,
                        "version " + version + " is no longer kept (kept: the flushed version "
                                + flushed + ", versions " + keepFrom() + " to " + head
                                + ", and those snapshot views or open"
                                + " handles read; txfs mount --keep-versions and --keep-unflushed keep more)");
            }
            View h = new View(PUBLISHED_VIEW, 0, Isolation.SNAPSHOT, 0, 0, version, 0, 0);
            h.historical = true;
            return h;
        });
    }

    /**
     * The first version of the newest run of kept versions: the garbage-collection policy's, or older
     * when derived work (delta ids) still has to read an older one.
     */
    long keepFrom() {
        return Math.min(Math.min(gcPolicy.keepFrom(head, flushed), versionHook.oldestNeeded()), idFloor);
    }

    /** Tells the version hook of a version written by the engine itself (an outside change taken in). */
    void versionHookPublished(long version) {
        versionHook.published(version);
    }

    // ---------------------------------------------------------------- outside changes

    /**
     * Compares every imported directory of the backing directory with what txfs recorded and takes in
     * every difference as one published version (docs/outside-changes.md). ESTALE if the backing
     * directory is gone.
     */
    public RescanResult rescan() {
        outside.requireBacking();
        try {
            return outside.rescan();
        } catch (StoreException e) {
            throw storeError(e);
        }
    }

    /** Why the backing directory cannot be served (deleted, moved away), or null while it is fine. */
    public String backingProblem() {
        return outside.gone();
    }

    /**
     * The path the backing directory was mounted from, when the engine reaches it through a handle
     * (/proc/self/fd/N): moving it away from there is then noticed and refused like a deletion.
     */
    public void watchBackingPath(Path original) {
        outside.watch(original);
    }

    /**
     * Installs the observer of publishes and flushes (one; NONE to remove). A hook other than NONE takes
     * over keeping the versions whose delta ids are missing: it must have queued them (its
     * {@link VersionHook#oldestNeeded}) before it is installed.
     */
    public void setVersionHook(VersionHook hook) {
        versionHook = hook == null ? VersionHook.NONE : hook;
        if (versionHook != VersionHook.NONE) idFloor = Long.MAX_VALUE;
    }

    /**
     * Until a version hook is installed, the version before the oldest publish since the last flush that
     * has no delta id (a daemon killed before its thread got there): the collection at open must not thin
     * out what the restarted delta-id thread will read. Long.MAX_VALUE when none is missing.
     */
    private volatile long idFloor = Long.MAX_VALUE;

    private long oldestWithoutDeltaId() {
        for (long v = flushed + 1; v <= head; v++) {
            if (logEntry(v) != null && deltaId(v) == null) return v - 1;
        }
        return Long.MAX_VALUE;
    }

    /** The stored delta id of log version {@code version}, or null if none is stored (yet). */
    public DeltaIdRecord deltaId(long version) {
        try {
            byte[] b = store.get(ColumnFamily.DELTA_ID, Bytes.longs(version));
            return b == null ? null : DeltaIdRecord.decode(b);
        } catch (StoreException e) {
            throw storeError(e);
        }
    }

    /** Stores the delta id of log version {@code version} (not synced: a later flush's synced plan carries it). */
    public void putDeltaId(long version, DeltaIdRecord r) {
        try {
            store.write(new Batch().put(ColumnFamily.DELTA_ID, Bytes.longs(version), r.encode()), false);
        } catch (StoreException e) {
            throw storeError(e);
        }
    }

    /** The log record of version {@code version}, or null (a version that is neither a publish nor a flush: 0). */
    public LogEntry logEntry(long version) {
        try {
            byte[] b = store.get(ColumnFamily.LOG, Bytes.longs(version));
            return b == null ? null : LogCodec.decode(version, b);
        } catch (StoreException e) {
            throw storeError(e);
        }
    }

    public List<LogEntry> log() {
        observeGroup(null);
        List<LogEntry> out = new ArrayList<>();
        try (KvIterator it = store.scan(ColumnFamily.LOG, EMPTY)) {
            for (; it.valid(); it.next()) out.add(LogCodec.decode(Bytes.getLong(it.key(), 0), it.value()));
        }
        return out;
    }

    /** The pending delta of a view, one entry per changed path, sorted by path. */
    public List<DeltaEntry> pendingDelta(View v) {
        return readOnce(v, c -> new DeltaBuilder(this, c).build());
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
    void pendingDeleted(View v, int n) {
        v.pointDeletes += n;
        if (v.pointDeletes < PENDING_COMPACT_AFTER) return;
        v.pointDeletes = 0;
        byte[] from = Bytes.longs(v.id);
        byte[] to = Bytes.longs(v.id + 1);
        try {
            gcThread.execute(() -> {
                // under the publish lock, which close takes first: the store is never closed under a compaction
                publishLock.lock();
                try {
                    if (closed) return;
                    for (ColumnFamily cf :
                            new ColumnFamily[] {ColumnFamily.P_NODE, ColumnFamily.P_DENT, ColumnFamily.P_KEY})
                        store.compact(cf, from, to);
                } catch (StoreException e) {
                    log.warn(
                            "compacting the pending records of {}: {}",
                            v.name,
                            e.getMessage()); // only its reads stay slower
                } finally {
                    publishLock.unlock();
                }
            });
        } catch (RejectedExecutionException closing) {
            // the engine is closing
        }
    }

    // ---------------------------------------------------------------- group commit

    /**
     * Groups the operations of {@code v} (the shared default view) into published versions by
     * {@code policy}; {@code onPublish} gets each group's publish result. Whatever {@code v} still holds
     * from before (a daemon killed before its group was published) is published now.
     */
    public GroupCommit groupCommit(View v, GroupPolicy policy) {
        requireWritable(v);
        if (group != null) throw new IllegalStateException("the engine has a group commit already");
        GroupCommit g = new GroupCommit(this, v, policy);
        group = g;
        if (v.changes != 0) log.info("publishing the operations view {} held from before the restart", v.name);
        g.publishPending();
        return g;
    }

    /**
     * Someone other than the group's view is about to read or change the published state
     * ({@code reader}: the view that reads, or null): the operations the group holds were returned to
     * their callers, so they are published first. Skipped on a thread that holds an engine lock
     * (an engine-internal read): publishing takes the publish lock first, then the view's.
     */
    private void observeGroup(View reader) {
        GroupCommit g = group;
        if (g == null || reader == g.view() || g.view().changes == 0) return;
        if (publishLock.isHeldByCurrentThread() || holdsViewLock()) return;
        g.publishPending();
    }

    /**
     * The group's view holds operations that returned to their callers and are everyone's as soon as
     * they did: they are never dropped, and the view itself is the mount's, not anyone's to remove.
     */
    private void refuseGroupView(View v) {
        GroupCommit g = group;
        if (g != null && g.view() == v) {
            throw new FsException(
                    Errno.EINVAL,
                    "view " + v.name + " is the mount's shared default: its changes are"
                            + " published as they are made, there is nothing to abort");
        }
    }

    private boolean holdsViewLock() {
        if (published.lock.getReadHoldCount() > 0 || published.lock.isWriteLockedByCurrentThread()) return true;
        for (View o : views.values()) {
            if (o.lock.getReadHoldCount() > 0 || o.lock.isWriteLockedByCurrentThread()) return true;
        }
        return false;
    }

    // ---------------------------------------------------------------- running operations

    ViewOperation readCtx(View v) {
        return new ViewOperation(v, v.isolation == Isolation.READ_COMMITTED ? head : v.snapshot);
    }

    /**
     * Runs f under the view's read lock. A base read that finds its backing file changed outside txfs
     * takes the change in (outside the lock: it takes the publish lock) and runs f once more.
     */
    <T> T read(View v, Function<ViewOperation, T> f) {
        outside.requireBacking();
        try {
            return readOnce(v, f);
        } catch (BackingChangedException changed) {
            if (isVersionView(v)) {
                throw new FsException(
                        Errno.ESTALE, "version " + v.snapshot + " read a backing file changed outside txfs since");
            }
            outside.nodeChanged(changed.node);
            return readOnce(v, f);
        }
    }

    /** read without the outside-change handling: for status and diffs, which must work while BACKING is gone. */
    <T> T readOnce(View v, Function<ViewOperation, T> f) {
        if (v == published || v.isolation == Isolation.READ_COMMITTED) observeGroup(v);
        v.lock.readLock().lock();
        try {
            checkOpen();
            return f.apply(readCtx(v));
        } catch (StoreException e) {
            throw storeError(e);
        } catch (UncheckedIOException e) {
            throw new FsException(Errno.EIO, e.getMessage(), e);
        } finally {
            v.lock.readLock().unlock();
        }
    }

    <T> T mutate(View v, Function<ViewOperation, T> f) {
        outside.requireBacking();
        try {
            return mutateOnce(v, f);
        } catch (BackingChangedException changed) {
            outside.nodeChanged(changed.node); // nothing of the failed attempt was committed
            return mutateOnce(v, f);
        }
    }

    private <T> T mutateOnce(View v, Function<ViewOperation, T> f) {
        requireWritable(v);
        if (v.isolation == Isolation.READ_COMMITTED) observeGroup(v);
        v.lock.writeLock().lock();
        try {
            checkOpen();
            if (v.discarded) throw new FsException(Errno.ENOENT, "view " + v.name + " was discarded");
            ViewOperation c = readCtx(v);
            T result = f.apply(c);
            commit(c);
            return result;
        } catch (StoreException e) {
            throw storeError(e);
        } catch (UncheckedIOException e) {
            throw new FsException(Errno.EIO, e.getMessage(), e);
        } finally {
            v.lock.writeLock().unlock();
        }
    }

    private void commit(ViewOperation c) {
        Map<Long, byte[]> encoded = new HashMap<>();
        for (var e : c.nodes.entrySet()) {
            byte[] b = e.getValue().encode();
            encoded.put(e.getKey(), b);
            c.batch.put(ColumnFamily.P_NODE, Keys.pNode(c.view.id, e.getKey()), b);
        }
        for (var e : c.dents.entrySet()) {
            c.batch.put(
                    ColumnFamily.P_DENT,
                    Keys.pDent(c.view.id, e.getKey().parent(), e.getKey().name()),
                    e.getValue().encode());
        }
        long before = c.view.pendingBytes;
        if (c.bytes != 0) {
            // never below 0: records written before pendingBytes counted stored bytes may hold less
            c.view.pendingBytes = Math.max(0, before + c.bytes);
            c.batch.put(ColumnFamily.VIEWS, c.view.name.getBytes(StandardCharsets.UTF_8), c.view.encode());
        }
        try {
            store.write(c.batch, false);
        } catch (RuntimeException e) {
            c.view.pendingBytes = before;
            throw e;
        }
        for (Runnable r : c.afterCommit) r.run();
        if (!c.batch.isEmpty()) c.view.changes++;
        if (c.dirShapeChanged) dirLinks.changed();
        // Only after the batch is in: a failed write leaves the cache describing the store as it is.
        PendingCache pc = c.view.pending;
        if (pc == null) return;
        for (var e : encoded.entrySet()) pc.putNode(e.getKey(), e.getValue());
        for (var e : c.dents.entrySet())
            pc.putDent(new EntryName(e.getKey().parent(), e.getKey().name().clone()), e.getValue());
        pc.addKeys(c.keys);
    }

    private void checkOpen() {
        if (closed) throw new FsException(Errno.EIO, "engine closed");
    }

    private static void requireWritable(View v) {
        if (v.id == 0) throw new FsException(Errno.EROFS, "the published view is read-only");
    }

    static FsException storeError(StoreException e) {
        log.error("store failure: {}", e.getMessage());
        return new FsException(e.noSpace() ? Errno.ENOSPC : Errno.EIO, e.getMessage(), e);
    }

    // ---------------------------------------------------------------- layered reads

    NodeRecord node(ViewOperation c, long id) {
        NodeRecord d = c.nodes.get(id);
        if (d != null) return d;
        if (c.view.id != 0) {
            PendingCache pc = c.view.pending;
            byte[] b = pc == null ? null : pc.node(id);
            if (b == null) {
                b = store.get(ColumnFamily.P_NODE, Keys.pNode(c.view.id, id));
                if (pc != null) pc.putNode(id, b == null ? PendingCache.NONE : b);
            }
            if (b != null && b != PendingCache.NONE) return NodeRecord.decode(b);
        }
        return publishedNode(id, c.snap);
    }

    NodeRecord publishedNode(long id, long version) {
        NodeRecord cached = publishedCache.node(id, version);
        if (cached != null) return cached;
        try (KvIterator it = store.scan(ColumnFamily.NODE, Keys.node(id, version), Bytes.longs(id))) {
            if (!it.valid()) return null;
            NodeRecord r = NodeRecord.decode(it.value());
            if (PublishedCache.cacheable(Keys.inv(Bytes.getLong(it.key(), 8)), r)) {
                publishedCache.putNode(id, Keys.inv(Bytes.getLong(it.key(), 8)), version, r.copy());
            }
            return r;
        }
    }

    /** A record of node id this operation may change (registered for the commit batch). */
    NodeRecord mutable(ViewOperation c, long id) {
        NodeRecord d = c.nodes.get(id);
        if (d != null) return d;
        NodeRecord r = node(c, id);
        if (r == null) throw new FsException(Errno.ENOENT, "no node " + id);
        c.nodes.put(id, r);
        return r;
    }

    EntryValue dent(ViewOperation c, long parent, byte[] name) {
        EntryValue d = c.dents.get(new EntryName(parent, name));
        if (d != null) return d;
        if (c.view.id != 0) {
            PendingCache pc = c.view.pending;
            d = pc == null ? null : pc.dent(parent, name);
            if (d == null) {
                byte[] b = store.get(ColumnFamily.P_DENT, Keys.pDent(c.view.id, parent, name));
                d = b == null ? PendingCache.NO_DENT : EntryValue.decode(b);
                if (pc != null) pc.putDent(new EntryName(parent, name.clone()), d);
            }
            if (d != PendingCache.NO_DENT) return d;
        }
        return publishedDent(parent, name, c.snap);
    }

    EntryValue publishedDent(long parent, byte[] name, long version) {
        EntryValue cached = publishedCache.dent(parent, name, version);
        if (cached != null) return cached;
        try (KvIterator it =
                store.scan(ColumnFamily.DENT, Keys.dent(parent, name, version), Keys.dentName(parent, name))) {
            if (!it.valid()) {
                // Absent up to this version stays true: publishes add versions above head, and only the
                // import of this directory's backing listing adds version-0 entries, which is done now.
                if (imported.contains(parent) || unbackedDirs.contains(parent)) {
                    publishedCache.putDent(parent, name, 0, version, EntryValue.DELETED);
                }
                return EntryValue.DELETED;
            }
            EntryValue d = EntryValue.decode(it.value());
            byte[] k = it.key();
            publishedCache.putDent(parent, name, Keys.inv(Bytes.getLong(k, k.length - 8)), version, d);
            return d;
        }
    }

    /** A live directory node or ENOENT/ENOTDIR; imports its backing listing on first use. */
    NodeRecord dir(ViewOperation c, long id) {
        NodeRecord r = node(c, id);
        if (r == null || (r.nlink == 0 && id != ROOT)) throw new FsException(Errno.ENOENT, "no directory " + id);
        if (!r.isDir()) throw new FsException(Errno.ENOTDIR, "node " + id + " is not a directory");
        ensureImported(id, r);
        return r;
    }

    NodeRecord live(ViewOperation c, long id) {
        NodeRecord r = node(c, id);
        if (r == null) throw new FsException(Errno.ENOENT, "no node " + id);
        return r;
    }

    long child(ViewOperation c, long parent, byte[] name) {
        return dent(c, parent, name).child();
    }

    /** Sorted by name bytes; pending entries over the published ones at the view's version. */
    /** Older versions of one name stepped over before {@link #entries} seeks past the rest (a seek costs a few steps). */
    private static final int DENT_SKIP_BEFORE_SEEK = 8;

    TreeMap<byte[], EntryValue> entries(ViewOperation c, long dirId) {
        TreeMap<byte[], EntryValue> out = new TreeMap<>(Arrays::compareUnsigned);
        try (KvIterator it = store.scan(ColumnFamily.DENT, Bytes.longs(dirId))) {
            byte[] lastName = null;
            int skipped = 0;
            while (it.valid()) {
                byte[] k = it.key();
                byte[] name = Arrays.copyOfRange(k, 8, k.length - 9);
                long version = Keys.inv(Bytes.getLong(k, k.length - 8));
                if (version <= c.snap && (lastName == null || !Arrays.equals(lastName, name))) {
                    lastName = name;
                    out.put(name, EntryValue.decode(it.value()));
                    skipped = 0;
                } else if (lastName != null && Arrays.equals(lastName, name) && ++skipped >= DENT_SKIP_BEFORE_SEEK) {
                    // a name changed by many publishes (the shared default's groups): jump past its older
                    // versions instead of stepping through each, so a listing costs its names, not its history
                    it.seek(Keys.afterVersions(dirId, name));
                    skipped = 0;
                    continue;
                }
                it.next();
            }
        }
        if (c.view.id != 0) {
            try (KvIterator it = store.scan(ColumnFamily.P_DENT, Bytes.longs(c.view.id, dirId))) {
                for (; it.valid(); it.next()) {
                    byte[] k = it.key();
                    out.put(Arrays.copyOfRange(k, 16, k.length), EntryValue.decode(it.value()));
                }
            }
        }
        for (var e : c.dents.entrySet())
            if (e.getKey().parent() == dirId) out.put(e.getKey().name(), e.getValue());
        out.values().removeIf(d -> d.child() == 0);
        return out;
    }

    // ---------------------------------------------------------------- backing import

    void ensureImported(long dirId, NodeRecord r) {
        if (!r.backedDir) {
            if (!unbackedDirs.contains(dirId)) unbackedDirs.add(dirId);
            return;
        }
        if (imported.contains(dirId)) return;
        synchronized (importLock) {
            if (store.get(ColumnFamily.IMPORTED, Bytes.longs(dirId)) != null) {
                imported.add(dirId);
                return;
            }
            importDir(dirId);
            imported.add(dirId);
        }
    }

    /** Lists a backing directory into version 0 of the store: what it held when txfs first looked. */
    private void importDir(long dirId) {
        String rel = backingPath(dirId);
        if (rel == null) throw new FsException(Errno.EIO, "directory " + dirId + " has no backing path");
        Batch b = new Batch();
        Map<Long, NodeRecord> linked = new HashMap<>();
        // the directory is opened beneath BACKING without following a symlink; its entries are reached
        // through that descriptor (BackingDir), so a directory swapped meanwhile is never read as root
        try (BackingDir.Entry dir = backing.dir(rel);
                DirectoryStream<Path> ds = Files.newDirectoryStream(dir.path)) {
            for (Path p : ds) {
                byte[] name = RawPaths.fileName(p); // exact bytes, valid UTF-8 or not
                String fname = Backing.raw(name);
                if (dirId == ROOT && (fname.equals(".txfs") || fname.equals(STAGING))) continue;
                Map<String, Object> a;
                try {
                    a = Backing.lstat(p);
                } catch (NoSuchFileException gone) {
                    continue;
                }
                String childRel = rel.isEmpty() ? fname : rel + "/" + fname;
                NodeRecord r = importRecord(p, dir.cChild(name), List.of(new EntryName(dirId, name)), a);
                long id;
                if (!r.isDir() && r.nlink > 1) {
                    byte[] bk = Bytes.longs(r.bdev, r.bino);
                    byte[] known = store.get(ColumnFamily.BACKING_INDEX, bk);
                    long knownId = known == null ? 0 : Bytes.getLong(known, 0);
                    NodeRecord other = knownId == 0
                            ? null
                            : linked.containsKey(knownId) ? linked.get(knownId) : publishedNode(knownId, 0);
                    // inode numbers are reused by the backing filesystem: trust the index only on a full match
                    if (other != null
                            && other.identity() != null
                            && other.identity().equals(r.identity())) {
                        id = knownId;
                        other.links.add(new EntryName(dirId, name));
                        linked.put(id, other);
                        b.put(ColumnFamily.NODE, Keys.node(id, 0), other.encode());
                    } else {
                        id = ids.next();
                        b.put(ColumnFamily.BACKING_INDEX, bk, Bytes.longs(id));
                        linked.put(id, r);
                        store.write(new Batch().put(ColumnFamily.BACKING_INDEX, bk, Bytes.longs(id)), false);
                        b.put(ColumnFamily.NODE, Keys.node(id, 0), r.encode());
                    }
                } else {
                    id = ids.next();
                    b.put(ColumnFamily.NODE, Keys.node(id, 0), r.encode());
                }
                b.put(ColumnFamily.DENT, Keys.dent(dirId, name, 0), new EntryValue(id, r.type).encode());
            }
        } catch (IOException e) {
            throw new FsException(Errno.EIO, "list backing directory " + Backing.display(rel), e);
        }
        b.put(ColumnFamily.IMPORTED, Bytes.longs(dirId), new byte[] {1});
        store.write(b, false);
    }

    private NodeRecord importRecord(String rel, List<EntryName> links) {
        try (BackingDir.Entry en = rel.isEmpty() ? backing.dir(rel) : backing.entry(rel)) {
            return importRecord(en.path, en.cPath, links, Backing.lstat(en.path));
        } catch (IOException e) {
            throw new UncheckedIOException("stat backing " + Backing.display(rel), e);
        }
    }

    /** The record of raw backing path rel, with lstat result a, reached beneath BACKING (BackingDir). */
    NodeRecord importRecord(String rel, List<EntryName> links, Map<String, Object> a) throws IOException {
        try (BackingDir.Entry en = backing.entry(rel)) {
            return importRecord(en.path, en.cPath, links, a);
        }
    }

    /**
     * p, cPath: the exact java.nio and libc paths of the object, from a BackingDir.Entry still open
     * (they go through a descriptor of its directory).
     */
    NodeRecord importRecord(Path p, byte[] cPath, List<EntryName> links, Map<String, Object> a) {
        NodeRecord r = new NodeRecord();
        int mode = (Integer) a.get("mode");
        r.type = FileType.fromMode(mode);
        r.perm = mode & 07777;
        r.uid = (Integer) a.get("uid");
        r.gid = (Integer) a.get("gid");
        r.nlink = r.type == FileType.DIRECTORY ? 1 : (Integer) a.get("nlink");
        r.size = r.type == FileType.REGULAR ? (Long) a.get("size") : 0;
        r.atime = Backing.ns(a.get("lastAccessTime"));
        r.mtime = Backing.ns(a.get("lastModifiedTime"));
        r.ctime = Backing.ns(a.get("ctime"));
        r.rdev = (Long) a.get("rdev");
        r.links = new ArrayList<>(links);
        r.backedDir = r.type == FileType.DIRECTORY;
        r.setIdentity(Backing.identity(a));
        r.baseValid = r.size;
        try {
            if (r.type == FileType.SYMLINK) {
                r.target = PathCalls.readLink(cPath);
                r.size = r.target.length;
            }
            if (r.type == FileType.REGULAR || r.type == FileType.DIRECTORY) {
                // one llistxattr on the path (the nio view opens the file for it); user.* only, as before
                for (Xattrs.Xattr x : Xattrs.list(cPath)) {
                    String n = new String(x.name(), StandardCharsets.UTF_8);
                    if (n.startsWith("user.")) r.xattrs.put(n, x.value());
                }
            }
        } catch (IOException | UnsupportedOperationException e) {
            log.debug("xattrs/symlink of {}: {}", p, e.toString());
        }
        return r;
    }

    /** Where node id lives in the backing directory now (the flushed state) as a raw path, or null. */
    String backingPath(long id) {
        if (id == ROOT) return "";
        NodeRecord r = publishedNode(id, flushed);
        if (r == null || r.links.isEmpty() || (r.isDir() && r.nlink == 0)) return null;
        EntryName l = r.links.get(0);
        String parent = backingPath(l.parent());
        if (parent == null) return null;
        String name = Backing.raw(l.name());
        return parent.isEmpty() ? name : parent + "/" + name;
    }

    /** The identity txfs recorded for the file at backingPath(id), or null. */
    Identity backingIdentity(long id) {
        NodeRecord r = publishedNode(id, flushed);
        return r == null ? null : r.identity();
    }

    // ---------------------------------------------------------------- names and keys

    static void checkName(byte[] name) {
        if (name.length == 0) throw new FsException(Errno.ENOENT, "empty name");
        if (name.length > NAME_MAX) throw new FsException(Errno.ENAMETOOLONG, "name longer than 255 bytes");
        for (byte x : name) {
            if (x == '/' || x == 0) throw new FsException(Errno.EINVAL, "name contains '/' or NUL");
        }
    }

    /** Checks a name that is about to be created or changed in directory parent. */
    static void checkNewName(long parent, byte[] name) {
        checkName(name);
        if (Arrays.equals(name, DOT) || Arrays.equals(name, DOTDOT)) {
            throw new FsException(Errno.EEXIST, "'.' and '..' always exist");
        }
        if (parent == ROOT && Arrays.equals(name, RESERVED)) {
            throw new FsException(Errno.EPERM, ".txfs is reserved at the root");
        }
    }

    static boolean isDotOrDotDot(byte[] name) {
        return Arrays.equals(name, DOT) || Arrays.equals(name, DOTDOT);
    }

    void key(ViewOperation c, byte[] k) {
        if (c.view.id == 0) return;
        ByteBuffer kb = ByteBuffer.wrap(k);
        if (!c.keys.add(kb) || (c.view.pending != null && c.view.pending.hasKey(kb))) return;
        byte[] pk = Keys.pKey(c.view.id, k);
        if (store.get(ColumnFamily.P_KEY, pk) == null) c.batch.put(ColumnFamily.P_KEY, pk, Bytes.longs(c.snap));
    }

    /** A node changed: nobody else can know a node this view created, so those need no conflict key. */
    void keyNode(ViewOperation c, long id, NodeRecord r) {
        if (r.bornLayer != 0 && r.bornLayer == c.layer) return;
        key(c, Keys.conflictKey('N', id));
    }

    void keyEntry(ViewOperation c, long parent, byte[] name) {
        key(c, Keys.conflictKeyE(parent, name));
        key(c, Keys.conflictKey('C', parent));
    }

    void putDent(ViewOperation c, long parent, byte[] name, long child, FileType type) {
        // only entries of directories change a directory's link count: renaming or removing files
        // keeps every cached count (a rename of a file used to drop them all, and recounting made
        // long runs of renames slow down as dead entries piled up)
        if (type == FileType.DIRECTORY) c.dirShapeChanged = true;
        c.dents.put(new EntryName(parent, name), child == 0 ? EntryValue.DELETED : new EntryValue(child, type));
    }

    void touch(NodeRecord r) {
        long now = clock.nowNanos();
        r.mtime = now;
        r.ctime = now;
    }

    Attr attr(long id, NodeRecord r) {
        long size = switch (r.type) {
            case REGULAR -> r.size;
            case SYMLINK -> r.target.length;
            case DIRECTORY -> 4096;
            default -> 0;
        };
        return new Attr(id, r.type, r.perm, r.uid, r.gid, r.nlink, size, r.atime, r.mtime, r.ctime, r.rdev);
    }

    /** attr with a directory's link count as the view sees it (DirLinks). */
    Attr attr(ViewOperation c, long id, NodeRecord r) {
        Attr a = attr(id, r);
        if (!r.isDir()) return a;
        return new Attr(
                id,
                a.type(),
                a.perm(),
                a.uid(),
                a.gid(),
                dirLinks.nlink(this, c, id, r),
                a.size(),
                a.atimeNs(),
                a.mtimeNs(),
                a.ctimeNs(),
                a.rdev());
    }

    // ---------------------------------------------------------------- namespace operations

    /**
     * Also checks the backing directory (docs/outside-changes.md): a name found is checked against its
     * backing file (one lstat), a name not found against its directory's listing (one lstat of the
     * directory); a difference is taken in and the lookup answered from the new state.
     */
    public Attr lookup(View v, long parent, byte[] name) {
        Attr a;
        try {
            a = lookupOnce(v, parent, name);
        } catch (FsException e) {
            if (e.errno() != Errno.ENOENT || isVersionView(v) || !outside.checkDir(parent)) throw e;
            return lookupOnce(v, parent, name);
        }
        if (isDotOrDotDot(name) || isVersionView(v) || !outside.checkFile(a.ino())) return a;
        return lookupOnce(v, parent, name);
    }

    private Attr lookupOnce(View v, long parent, byte[] name) {
        return read(v, c -> {
            NodeRecord p = dir(c, parent);
            checkName(name);
            if (Arrays.equals(name, DOT)) return attr(c, parent, p);
            if (Arrays.equals(name, DOTDOT)) {
                long up = parent == ROOT ? ROOT : p.link().parent();
                return attr(c, up, live(c, up));
            }
            long id = child(c, parent, name);
            if (id == 0) throw new FsException(Errno.ENOENT, new String(name, StandardCharsets.UTF_8));
            return attr(c, id, live(c, id));
        });
    }

    public Attr getattr(View v, long ino) {
        // the root's attributes are answered even with BACKING gone: the walk to MOUNT/.txfs/ctl needs them,
        // and status and unmount must keep working then
        if (ino == ROOT) return readOnce(v, c -> attr(c, ino, live(c, ino)));
        return read(v, c -> attr(c, ino, live(c, ino)));
    }

    /** Also compares the directory with its backing listing when its stat changed (docs/outside-changes.md). */
    public List<DirEntry> readdir(View v, long dirIno) {
        List<DirEntry> out = readdirOnce(v, dirIno); // first: it imports the listing if nobody has yet
        if (isVersionView(v)) return out;
        return outside.checkDir(dirIno) ? readdirOnce(v, dirIno) : out;
    }

    /**
     * A handle on one old published version ({@link #versionView}): what it reads never takes in an outside
     * change. Taking one in would publish a new version, not change the old one, and it takes the publish
     * lock: the delta-id worker reads through such handles while a flush holds that lock and waits for the
     * worker (a deadlock CI met in ViewSharedDefaultIT).
     */
    private boolean isVersionView(View v) {
        return v.historical;
    }

    private List<DirEntry> readdirOnce(View v, long dirIno) {
        return read(v, c -> {
            dir(c, dirIno);
            List<DirEntry> out = new ArrayList<>();
            for (var e : entries(c, dirIno).entrySet())
                out.add(new DirEntry(
                        e.getKey(), e.getValue().child(), e.getValue().type()));
            return out;
        });
    }

    /** The parent of a directory (the root is its own parent), for "..". */
    public long parentOf(View v, long dirIno) {
        return read(v, c -> {
            NodeRecord r = live(c, dirIno);
            return dirIno == ROOT || r.links.isEmpty() ? ROOT : r.link().parent();
        });
    }

    public byte[] readlink(View v, long ino) {
        return read(v, c -> {
            NodeRecord r = live(c, ino);
            if (r.type != FileType.SYMLINK) throw new FsException(Errno.EINVAL, "not a symlink");
            return r.target.clone();
        });
    }

    public Attr create(View v, long parent, byte[] name, int perm, Caller who) {
        return mutate(v, c -> makeNode(c, parent, name, FileType.REGULAR, perm, 0, null, who));
    }

    public Attr mkdir(View v, long parent, byte[] name, int perm, Caller who) {
        return mutate(v, c -> makeNode(c, parent, name, FileType.DIRECTORY, perm, 0, null, who));
    }

    public Attr mknod(View v, long parent, byte[] name, FileType type, int perm, long rdev, Caller who) {
        if (type == FileType.DIRECTORY || type == FileType.SYMLINK) {
            throw new FsException(Errno.EINVAL, "mknod cannot make a " + type);
        }
        return mutate(v, c -> makeNode(c, parent, name, type, perm, rdev, null, who));
    }

    public Attr symlink(View v, long parent, byte[] name, byte[] target, Caller who) {
        if (target.length == 0) throw new FsException(Errno.ENOENT, "empty symlink target");
        if (target.length > 4095) throw new FsException(Errno.ENAMETOOLONG, "symlink target too long");
        return mutate(v, c -> makeNode(c, parent, name, FileType.SYMLINK, 0777, 0, target, who));
    }

    private Attr makeNode(
            ViewOperation c, long parent, byte[] name, FileType type, int perm, long rdev, byte[] target, Caller who) {
        NodeRecord p = dir(c, parent);
        checkNewName(parent, name);
        if (child(c, parent, name) != 0) throw new FsException(Errno.EEXIST, new String(name, StandardCharsets.UTF_8));
        long id = ids.next();
        NodeRecord r = new NodeRecord();
        r.type = type;
        r.perm = perm & 07777;
        r.uid = who.uid();
        r.gid = who.gid();
        if ((p.perm & 02000) != 0) {
            r.gid = p.gid;
            if (type == FileType.DIRECTORY) r.perm |= 02000;
        }
        r.nlink = 1;
        r.rdev = rdev;
        long now = clock.nowNanos();
        r.atime = now;
        r.mtime = now;
        r.ctime = now;
        r.links.add(new EntryName(parent, name));
        r.bornLayer = c.layer;
        if (target != null) {
            r.target = target.clone();
            r.size = target.length;
        }
        c.nodes.put(id, r);
        putDent(c, parent, name, id, type);
        c.nodes.putIfAbsent(parent, p);
        touch(mutable(c, parent));
        keyEntry(c, parent, name);
        return attr(c, id, r);
    }

    public Attr link(View v, long ino, long newParent, byte[] newName) {
        return mutate(v, c -> {
            NodeRecord r = live(c, ino);
            if (r.isDir()) throw new FsException(Errno.EPERM, "hard link to a directory");
            dir(c, newParent);
            checkNewName(newParent, newName);
            if (child(c, newParent, newName) != 0)
                throw new FsException(Errno.EEXIST, new String(newName, StandardCharsets.UTF_8));
            NodeRecord m = mutable(c, ino);
            m.links.add(new EntryName(newParent, newName));
            m.nlink++;
            m.ctime = clock.nowNanos();
            putDent(c, newParent, newName, ino, m.type);
            touch(mutable(c, newParent));
            keyEntry(c, newParent, newName);
            key(c, Keys.conflictKey('N', ino));
            return attr(ino, m);
        });
    }

    public void unlink(View v, long parent, byte[] name) {
        mutate(v, c -> {
            dir(c, parent);
            checkName(name);
            if (parent == ROOT && Arrays.equals(name, RESERVED))
                throw new FsException(Errno.EPERM, ".txfs is reserved");
            long id = child(c, parent, name);
            if (id == 0) throw new FsException(Errno.ENOENT, new String(name, StandardCharsets.UTF_8));
            NodeRecord m = mutable(c, id);
            if (m.isDir()) throw new FsException(Errno.EISDIR, "unlink of a directory");
            dropLink(c, id, m, parent, name);
            touch(mutable(c, parent));
            return null;
        });
    }

    private void dropLink(ViewOperation c, long id, NodeRecord m, long parent, byte[] name) {
        m.links.remove(new EntryName(parent, name));
        m.nlink = m.isDir() ? 0 : Math.max(0, m.nlink - 1);
        m.ctime = clock.nowNanos();
        putDent(c, parent, name, 0, m.type);
        keyEntry(c, parent, name);
        key(c, Keys.conflictKey('N', id));
        if (m.isDir()) key(c, Keys.conflictKey('R', id));
    }

    public void rmdir(View v, long parent, byte[] name) {
        mutate(v, c -> {
            dir(c, parent);
            checkName(name);
            if (Arrays.equals(name, DOT)) throw new FsException(Errno.EINVAL, "rmdir of '.'");
            if (Arrays.equals(name, DOTDOT)) throw new FsException(Errno.ENOTEMPTY, "rmdir of '..'");
            if (parent == ROOT && Arrays.equals(name, RESERVED))
                throw new FsException(Errno.EPERM, ".txfs is reserved");
            long id = child(c, parent, name);
            if (id == 0) throw new FsException(Errno.ENOENT, new String(name, StandardCharsets.UTF_8));
            NodeRecord m = mutable(c, id);
            if (!m.isDir()) throw new FsException(Errno.ENOTDIR, "rmdir of a non-directory");
            ensureImported(id, m);
            if (!entries(c, id).isEmpty())
                throw new FsException(Errno.ENOTEMPTY, new String(name, StandardCharsets.UTF_8));
            dropLink(c, id, m, parent, name);
            touch(mutable(c, parent));
            return null;
        });
    }

    public void rename(View v, long oldParent, byte[] oldName, long newParent, byte[] newName, int flags) {
        mutate(v, c -> {
            new Renamer(this, c).rename(oldParent, oldName, newParent, newName, flags);
            return null;
        });
    }

    // ---------------------------------------------------------------- attributes

    public Attr setattr(View v, long ino, SetAttr s) {
        return mutate(v, c -> {
            NodeRecord m = mutable(c, ino);
            if (s.size() != null) {
                if (m.isDir()) throw new FsException(Errno.EISDIR, "truncate of a directory");
                if (m.type != FileType.REGULAR) throw new FsException(Errno.EINVAL, "truncate of a special file");
                Content.truncate(this, c, ino, m, s.size());
            }
            if (s.perm() != null) m.perm = s.perm() & 07777;
            if (s.uid() != null) m.uid = s.uid();
            if (s.gid() != null) m.gid = s.gid();
            if (s.atimeNs() != null) m.atime = s.atimeNs();
            if (s.mtimeNs() != null) m.mtime = s.mtimeNs();
            m.ctime = clock.nowNanos();
            keyNode(c, ino, m);
            return attr(c, ino, m);
        });
    }

    /** Checks an open; truncate empties the file (O_TRUNC). */
    public Attr open(View v, long ino, boolean write, boolean truncate) {
        outside.requireBacking();
        if (!isVersionView(v)) outside.checkFile(ino); // the content about to be read must be what BACKING holds now
        Attr a = getattr(v, ino);
        if (a.type() == FileType.DIRECTORY && write)
            throw new FsException(Errno.EISDIR, "open of a directory for writing");
        if (write && v.id == 0) throw new FsException(Errno.EROFS, "the published view is read-only");
        if (truncate && write && a.type() == FileType.REGULAR && a.size() != 0) return setattr(v, ino, SetAttr.size(0));
        return a;
    }

    // ---------------------------------------------------------------- data

    public byte[] read(View v, long ino, long offset, int length) {
        if (offset < 0 || length < 0) throw new FsException(Errno.EINVAL, "negative offset or length");
        return read(v, c -> {
            NodeRecord r = live(c, ino);
            requireRegular(r);
            return Content.read(this, ino, r, offset, length);
        });
    }

    /**
     * Reads into dst from its position, at most dst.remaining() bytes (fewer at the end of the file), and
     * returns the count. A FUSE reply buffer takes the bytes without an array per read: for 1 MiB reads
     * the allocation and zeroing of that array was half the daemon's time.
     */
    public int read(View v, long ino, long offset, ByteBuffer dst) {
        if (offset < 0) throw new FsException(Errno.EINVAL, "negative offset");
        return read(v, c -> {
            NodeRecord r = live(c, ino);
            requireRegular(r);
            return Content.read(this, ino, r, offset, dst);
        });
    }

    static final String CAPABILITY_XATTR = "security.capability";

    public int write(View v, long ino, long offset, byte[] data) {
        return write(v, ino, offset, data, data.length);
    }

    /**
     * Writes data[0, length) at offset. The array is not kept past the call, so a FUSE reader thread can
     * reuse one buffer for every WRITE instead of allocating (and zeroing) an array of the write's size.
     */
    public int write(View v, long ino, long offset, byte[] data, int length) {
        if (offset < 0) throw new FsException(Errno.EINVAL, "negative offset");
        if (length < 0 || length > data.length) throw new FsException(Errno.EINVAL, "bad length");
        if (offset + length > MAX_FILE_SIZE || offset + length < 0) {
            throw new FsException(Errno.EFBIG, "write beyond the maximum file size");
        }
        return mutate(v, c -> {
            NodeRecord m = mutable(c, ino);
            requireRegular(m);
            // as the VFS does on every write (file_remove_privs): a changed file keeps no file capabilities.
            // The kernel removes them itself before a page-cache write, never before a direct one.
            m.xattrs.remove(CAPABILITY_XATTR);
            c.bytes += Content.write(this, c, ino, m, offset, data, length);
            keyNode(c, ino, m);
            return length;
        });
    }

    private static void requireRegular(NodeRecord r) {
        if (r.isDir()) throw new FsException(Errno.EISDIR, "is a directory");
        if (r.type != FileType.REGULAR) throw new FsException(Errno.EINVAL, "not a regular file");
    }

    /** Makes the view's pending data survive power loss (without publishing it). */
    public void fsync(View v) {
        try {
            store.syncWal(); // chunk data first (DataFirstStore)
        } catch (StoreException e) {
            throw storeError(e);
        }
    }

    // ---------------------------------------------------------------- xattrs

    public byte[] getxattr(View v, long ino, String name) {
        return read(v, c -> {
            byte[] val = live(c, ino).xattrs.get(name);
            if (val == null) throw new FsException(Errno.ENODATA, "no xattr " + name);
            return val.clone();
        });
    }

    public List<String> listxattr(View v, long ino) {
        return read(v, c -> new ArrayList<>(live(c, ino).xattrs.keySet()));
    }

    /**
     * The xattr namespaces a view keeps: user., and trusted. and security. (the kernel lets only
     * privileged callers write those). Anything else, POSIX ACLs (system.posix_acl_*) included, is
     * refused with EOPNOTSUPP as a local filesystem without ACL support does: cp -a and tar then fall
     * back to chmod, where a stored-but-never-applied ACL left their copies at mode 0600.
     */
    static boolean keptXattrNamespace(String name) {
        return name.startsWith("user.") || name.startsWith("trusted.") || name.startsWith("security.");
    }

    private static void requireKeptXattrNamespace(String name) {
        if (!keptXattrNamespace(name)) {
            throw new FsException(
                    Errno.EOPNOTSUPP,
                    "xattr " + name + ": only the user., trusted. and security. namespaces are kept (no POSIX ACLs)");
        }
    }

    public void setxattr(View v, long ino, String name, byte[] value, int flags) {
        requireKeptXattrNamespace(name);
        if (name.isEmpty() || name.getBytes(StandardCharsets.UTF_8).length > 255) {
            throw new FsException(Errno.ERANGE, "bad xattr name length");
        }
        if (value.length > 65536) throw new FsException(Errno.E2BIG, "xattr value too large");
        mutate(v, c -> {
            NodeRecord m = mutable(c, ino);
            boolean exists = m.xattrs.containsKey(name);
            if ((flags & XATTR_CREATE) != 0 && exists) throw new FsException(Errno.EEXIST, "xattr " + name + " exists");
            if ((flags & XATTR_REPLACE) != 0 && !exists) throw new FsException(Errno.ENODATA, "no xattr " + name);
            m.xattrs.put(name, value.clone());
            m.ctime = clock.nowNanos();
            key(c, Keys.conflictKey('N', ino));
            return null;
        });
    }

    public void removexattr(View v, long ino, String name) {
        requireKeptXattrNamespace(name);
        mutate(v, c -> {
            NodeRecord m = mutable(c, ino);
            if (m.xattrs.remove(name) == null) throw new FsException(Errno.ENODATA, "no xattr " + name);
            m.ctime = clock.nowNanos();
            key(c, Keys.conflictKey('N', ino));
            return null;
        });
    }

    public StatFs statfs(View v) {
        outside.requireBacking();
        try {
            FileStore fs = Files.getFileStore(backing.root);
            long bs = 4096;
            return new StatFs(
                    bs,
                    fs.getTotalSpace() / bs,
                    fs.getUnallocatedSpace() / bs,
                    fs.getUsableSpace() / bs,
                    1L << 32,
                    1L << 31,
                    NAME_MAX);
        } catch (IOException e) {
            throw new FsException(Errno.EIO, "statfs of backing directory", e);
        }
    }

    // ---------------------------------------------------------------- paths (tools and tests)

    /** Resolves a '/'-separated path from the root without following symlinks; "" and "/" are the root. */
    public long resolve(View v, String path) {
        long cur = ROOT;
        for (String part : path.split("/")) {
            if (part.isEmpty() || part.equals(".")) continue;
            cur = lookup(v, cur, part.getBytes(StandardCharsets.UTF_8)).ino();
        }
        return cur;
    }

    // ---------------------------------------------------------------- lifecycle

    /** Closes the engine: waits for running operations, then the store, then the lock file. Idempotent. */
    @Override
    public void close() {
        GroupCommit g = group;
        if (g != null && !closed) g.close(); // publishes what the group holds; if it cannot, the next open does
        publishLock.lock();
        List<View> all = new ArrayList<>(views.values());
        all.add(published);
        all.sort(Comparator.comparingLong(x -> x.id));
        for (View v : all) v.lock.writeLock().lock();
        try {
            if (closed) return;
            closed = true;
            gcThread.shutdown(); // a running collection stops at its next batch (it checks closed)
            backing.close();
            store.close(); // its last memtable flush syncs the chunk data first
            chunkData.close();
            try {
                if (lockFile != null) lockFile.release();
                if (lockChannel != null) lockChannel.close();
            } catch (IOException e) {
                log.warn("releasing the state lock: {}", e.toString());
            }
        } finally {
            for (View v : all) v.lock.writeLock().unlock();
            publishLock.unlock();
        }
    }

    static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    /**
     * Removes data files no chunk key names: written by a write whose batch never committed (a crash
     * between the two), or whose keys a collection deleted just before a crash. Runs at open, before
     * anything is served, so no write is in flight.
     */
    private void sweepChunkData() {
        int removed = 0;
        for (long[] f : chunkData.list()) {
            if (!namesDataFile(f[0], f[1])) {
                chunkData.delete(f[0], f[1]);
                removed++;
            }
        }
        if (removed > 0) log.info("removed {} chunk data files no chunk names", removed);
    }

    private boolean namesDataFile(long ino, long layer) {
        try (KvIterator it = store.scan(ColumnFamily.CHUNK, Bytes.longs(ino))) {
            for (; it.valid(); it.next()) {
                if (Bytes.getLong(it.key(), 16) == layer && Content.isExternal(it.value())) return true;
            }
        }
        return false;
    }

    /** Deletes the chunks of node id in layer from chunk fromIndex on; returns the bytes they stored. */
    long deleteLayerChunks(Batch b, long id, long layer, long fromIndex) {
        long stored = 0;
        try (KvIterator it = store.scan(ColumnFamily.CHUNK, Keys.chunk(id, fromIndex, 0), Bytes.longs(id))) {
            for (; it.valid(); it.next()) {
                if (Bytes.getLong(it.key(), 16) == layer) {
                    b.delete(ColumnFamily.CHUNK, it.key());
                    stored += Content.storedLength(it.value());
                }
            }
        }
        return stored;
    }

    /** A path of node id in the view, for messages and deltas; null if unreachable. */
    String pathOf(ViewOperation c, long id) {
        return pathOf(c, id, StandardCharsets.UTF_8);
    }

    /** pathOf as a raw backing path (Backing.raw: one char per name byte), for flush. */
    String rawPathOf(ViewOperation c, long id) {
        return pathOf(c, id, StandardCharsets.ISO_8859_1);
    }

    private String pathOf(ViewOperation c, long id, Charset names) {
        if (id == ROOT) return "";
        NodeRecord r = node(c, id);
        if (r == null || r.links.isEmpty()) return null;
        List<String> parts = new ArrayList<>();
        long cur = id;
        EntryName l = r.link();
        int guard = 0;
        while (cur != ROOT) {
            if (l == null || guard++ > 4096) return null;
            parts.add(new String(l.name(), names));
            cur = l.parent();
            if (cur == ROOT) break;
            NodeRecord pr = node(c, cur);
            if (pr == null || pr.nlink == 0) return null;
            l = pr.link();
        }
        Collections.reverse(parts);
        return String.join("/", parts);
    }
}
