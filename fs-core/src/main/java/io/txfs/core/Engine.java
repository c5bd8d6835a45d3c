package io.txfs.core;

import io.txfs.core.backing.Backing;
import io.txfs.core.chunks.ChunkData;
import io.txfs.core.chunks.DataFirstStore;
import io.txfs.core.chunks.FileChunkData;
import io.txfs.core.chunks.MemoryChunkData;
import io.txfs.core.collection.BackgroundCollection;
import io.txfs.core.collection.Collector;
import io.txfs.core.collection.PinnedBytes;
import io.txfs.core.flush.Flusher;
import io.txfs.core.format.DeltaIdRecord;
import io.txfs.core.format.IdAllocator;
import io.txfs.core.model.AttributeChange;
import io.txfs.core.model.Caller;
import io.txfs.core.model.ChangeSet;
import io.txfs.core.model.Clock;
import io.txfs.core.model.DeltaEntry;
import io.txfs.core.model.DirEntry;
import io.txfs.core.model.EngineConstants;
import io.txfs.core.model.FileType;
import io.txfs.core.model.FilesystemSpace;
import io.txfs.core.model.FlushResult;
import io.txfs.core.model.FsException;
import io.txfs.core.model.GcPolicy;
import io.txfs.core.model.GcReport;
import io.txfs.core.model.GcResult;
import io.txfs.core.model.GroupPolicy;
import io.txfs.core.model.Identity;
import io.txfs.core.model.Isolation;
import io.txfs.core.model.LogEntry;
import io.txfs.core.model.NodeAttributes;
import io.txfs.core.model.PublishResult;
import io.txfs.core.model.RefreshConflictException;
import io.txfs.core.model.RescanResult;
import io.txfs.core.model.ViewInfo;
import io.txfs.core.outside.OutsideChanges;
import io.txfs.core.progress.LongWorks;
import io.txfs.core.store.RocksStore;
import io.txfs.core.store.Store;
import io.txfs.core.store.StoreException;
import io.txfs.core.store.StoreMemory;
import io.txfs.core.trace.AccessTraces;
import io.txfs.core.transactions.ChildViews;
import io.txfs.core.transactions.FileOperations;
import io.txfs.core.transactions.GroupCommit;
import io.txfs.core.transactions.VersionTransactions;
import io.txfs.core.transactions.ViewCheckpoints;
import io.txfs.core.transactions.ViewLifecycle;
import io.txfs.core.transactions.ViewTransactions;
import io.txfs.core.tree.BackingImport;
import io.txfs.core.tree.Checkpoint;
import io.txfs.core.tree.EngineParts;
import io.txfs.core.tree.EngineState;
import io.txfs.core.tree.LayeredTree;
import io.txfs.core.tree.OwnLayerSpace;
import io.txfs.core.tree.PublishedVersions;
import io.txfs.core.tree.VersionHook;
import io.txfs.core.tree.VersionLog;
import io.txfs.core.tree.View;
import io.txfs.core.tree.ViewOptions;
import io.txfs.sys.Errno;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transactional engine: views over the published state over the backing directory, node-addressed
 * POSIX operations, publish, flush. Thread-safe. See docs/engine.md, docs/concurrency.md.
 */
public final class Engine implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Engine.class);

    // the engine's constants, for its callers (EngineConstants, below every part, holds them)
    public static final long ROOT = EngineConstants.ROOT;
    public static final int CHUNK = EngineConstants.CHUNK;
    public static final long MAX_FILE_SIZE = EngineConstants.MAX_FILE_SIZE;
    public static final int NAME_MAX = EngineConstants.NAME_MAX;
    public static final int RENAME_NOREPLACE = EngineConstants.RENAME_NOREPLACE;
    public static final int RENAME_EXCHANGE = EngineConstants.RENAME_EXCHANGE;
    public static final int XATTR_CREATE = EngineConstants.XATTR_CREATE;
    public static final int XATTR_REPLACE = EngineConstants.XATTR_REPLACE;
    public static final String PUBLISHED_VIEW = EngineConstants.PUBLISHED_VIEW;
    private static final byte[] EMPTY = new byte[0];
    /** The shared state of the engine's parts (EngineState says why it is one explicit object). */
    final EngineState state;

    private final EngineDirectory stateDir;
    final PublishedVersions versions;
    final BackingImport imports;
    /** The parts handed to Publisher, Flusher and the rest: the state and readers, not the engine. */
    private final EngineParts parts;

    final LayeredTree tree;
    private final Flusher flusher;
    /** Changes made to the backing directory behind the daemon's back (docs/outside-changes.md). */
    final OutsideChanges outside;

    final Collector collector;
    private final BackgroundCollection background;
    private final GcPolicy gcPolicy;

    /** The log of versions, their delta ids, and the hook that computes them. */
    private final VersionLog versionLog;
    /** Runs each operation of a view as a transaction on its pending delta. */
    private final ViewTransactions tx;

    private final FileOperations files;
    private final ViewLifecycle lifecycle;
    private final ViewCheckpoints checkpoints;
    private final ChildViews childViews;
    /** The access traces of views that record one (docs/reproducibility.md, "Access traces"). */
    private final AccessTraces traces;

    private final VersionTransactions versionTx;

    /** The long operations running now (flush, gc, …), for progress shown by any client. */
    public LongWorks works() {
        return state.works;
    }

    public static Engine open(EngineConfig config) {
        return new Engine(config);
    }

    private Engine(EngineConfig c) {
        this.stateDir = EngineDirectory.lock(c.stateDir());
        Store s = c.store();
        if (s == null && c.stateDir() != null) s = new RocksStore(c.stateDir().resolve("db"));
        if (s == null) throw new IllegalArgumentException("no store and no state directory");
        stateDir.emptyScratch();
        ChunkData chunkData =
                c.stateDir() != null ? new FileChunkData(c.stateDir().resolve("chunks")) : MemoryChunkData.of(s);
        this.state = new EngineState(
                new DataFirstStore(s, chunkData),
                chunkData,
                c.clock(),
                c.faults(),
                c.listener(),
                c.works(),
                new Backing(c.backing(), s, this::backingPath, this::backingIdentity),
                new IdAllocator(s, "nextId", ROOT + 1),
                new IdAllocator(s, "nextLayer", 1),
                new IdAllocator(s, "nextView", 1));
        this.versions = new PublishedVersions(state.store);
        this.imports = new BackingImport(state, versions);
        this.tree = new LayeredTree(state, versions, imports);
        this.parts = new EngineParts(state, versions, tree, imports);
        this.outside = new OutsideChanges(parts, this::outsideChangePublished);
        this.tx = new ViewTransactions(state, tree, outside);
        this.files = new FileOperations(parts, tx, outside);
        this.versionLog = new VersionLog(state, c.gc());
        StoreOpening opening = new StoreOpening(state, versions, imports);
        versions.subtreeMarksFrom(opening.initialize());
        this.gcPolicy = c.gc();
        this.collector = new Collector(parts, c.gc(), this::keepFrom);
        this.flusher = new Flusher(parts, collector);
        this.background = new BackgroundCollection(state, collector, gcPolicy, v -> OwnLayerSpace.recount(state, v));
        this.lifecycle = new ViewLifecycle(parts, tx, background);
        this.checkpoints = new ViewCheckpoints(parts, tx, background);
        this.childViews = new ChildViews(parts, tx, background);
        this.versionTx = new VersionTransactions(parts, tx, outside, flusher, collector, background, versionLog);
        this.traces =
                new AccessTraces(c.stateDir() == null ? null : c.stateDir().resolve("traces"));
        traces.retainOnly(state.views.values().stream().map(v -> v.id).collect(Collectors.toSet()));
        flusher.recover();
        opening.sweepChunkData();
        versionLog.findMissingDeltaIds();
        background.collectSoon("open");
        background.recountPendingBytes();
        log.info(
                "engine open: backing {}, head {}, flushed {}, {} views",
                c.backing(),
                state.head(),
                state.flushed(),
                state.views.size());
    }

    /** Where node id lives in the backing directory now (Backing's callback; imports is set after it). */
    private String backingPath(long id) {
        return imports.backingPath(id);
    }

    private Identity backingIdentity(long id) {
        return imports.backingIdentity(id);
    }

    // ---------------------------------------------------------------- views

    public View createView(String name, Isolation isolation, int ownerUid) {
        return createView(name, isolation, ownerUid, false);
    }

    /** {@code anonymous}: made without a name, ending once it holds nothing and no process is in it ({@link View#anonymous}). */
    public View createView(String name, Isolation isolation, int ownerUid, boolean anonymous) {
        return createView(name, isolation, ownerUid, ViewOptions.DEFAULT.withAnonymous(anonymous));
    }

    /** With the options it keeps for its life (an mtime clamp, fsyncs skipped, …). */
    public View createView(String name, Isolation isolation, int ownerUid, ViewOptions options) {
        return lifecycle.create(name, isolation, ownerUid, options);
    }

    /** The view, or ENOENT. {@link #PUBLISHED_VIEW} names the published pseudo-view. */
    public View view(String name) {
        if (PUBLISHED_VIEW.equals(name)) return state.published;
        View v = state.views.get(name);
        if (v == null) throw new FsException(Errno.ENOENT, "no view " + name);
        return v;
    }

    /** What the store holds in memory against its budget now (txfs stats). */
    public StoreMemory storeMemory() {
        return state.store.memory();
    }

    public View published() {
        return state.published;
    }

    /** The engine's clock: what the mount side stamps times with (utimensat's UTIME_NOW), so tests control it. */
    public Clock clock() {
        return state.clock;
    }

    /**
     * A read-only handle named {@code name} on the published state as it is at each access: what a view that
     * has not begun yet reads (a session's default view before its first write). It holds nothing, so the
     * view begun at that first write ({@link #createView}, read-committed) reads the very same state.
     */
    public View notYetBegun(String name, int ownerUid) {
        return View.publishedAt(name, Isolation.READ_COMMITTED, ownerUid, 0, state.head());
    }

    public List<ViewInfo> listViews() {
        return lifecycle.list();
    }

    /**
     * Per view, the bytes garbage collection keeps only for the version it reads (PinnedBytes;
     * docs/storage-format.md, "Pinned bytes"). Costs a scan of the collector's queue and one seek per
     * preserved copy. Taken without the publish lock, so `txfs views` does not wait for a running flush:
     * during a publish, flush or collection the numbers are those of a moment before or after it.
     */
    public Map<String, Long> pinnedBytes() {
        return PinnedBytes.byView(parts, keepFrom(), state.flushed(), collector.pinnedVersions());
    }

    public long headVersion() {
        tx.observeGroup(null);
        return state.head();
    }

    public long flushedVersion() {
        return state.flushed();
    }

    /**
     * Discards the pending delta; the view continues empty on the newest published state (a child view: on its
     * parent's state now). A view's children go with it.
     */
    public ChangeSet abort(View v) {
        return v.isChild() ? childViews.abort(v) : lifecycle.abort(v);
    }

    /**
     * Discards the pending delta and the view itself; returns what its kernel-facing side may have
     * cached of the dropped changes. Its name is free again: a view created under it later is a new one.
     */
    public ChangeSet discard(View v) {
        ChangeSet dropped = lifecycle.discard(v);
        traces.drop(v.id);
        return dropped;
    }

    /**
     * Removes the view as {@link #discard} does, but only if it has no pending change (its delta is empty:
     * made and undone counts as nothing); else changes nothing and returns null. One step under the view's
     * write lock, so no write slips in between the check and the removal.
     */
    public ChangeSet discardIfUnchanged(View v) {
        ChangeSet dropped = lifecycle.discardIfUnchanged(v);
        if (dropped != null) traces.drop(v.id);
        return dropped;
    }

    /**
     * Moves a view onto the newest published state, its pending delta staying on top (a rebase; SPEC:
     * {@code txfs refresh}). Refused with {@link RefreshConflictException} and nothing changed when a path
     * the view changed was published since the base of that change, by the rules a publish applies
     * (Publisher): refreshing then would hide the other's change under the view's without anyone
     * choosing. Returns what the view's kernel-facing side may have cached of the state it leaves.
     */
    public ChangeSet refresh(View v) {
        return v.isChild() ? childViews.refresh(v) : lifecycle.refresh(v);
    }

    // ---------------------------------------------------------------- nested views (ChildViews)

    /**
     * Begins view {@code name} inside {@code parent}: on the parent's state now, its publish merging into the
     * parent (docs/views.md, "Nested views"). EMLINK past {@link ChildViews#MAX_DEPTH}.
     */
    public View createChildView(String name, View parent, int ownerUid, ViewOptions options) {
        return childViews.create(name, parent, ownerUid, options);
    }

    /** The view a child view publishes into. */
    public View parentOf(View child) {
        return childViews.parentOf(child);
    }

    /** The views begun inside {@code v}, by name. */
    public List<View> children(View v) {
        return state.children(v);
    }

    // ---------------------------------------------------------------- publish and flush (VersionTransactions)

    /**
     * Publishes the view's pending delta as the newest version; a child view's merges into its parent instead
     * (no version is made; a forced merge is refused with EINVAL).
     */
    public PublishResult publish(View v, boolean force) {
        return publish(v, force, false);
    }

    /**
     * As {@link #publish(View, boolean)}; {@code mergeBytes}: a file the view and a publish since its base both
     * changed, in different 64 KiB chunks and nothing else, is merged instead of conflicting
     * (docs/publish-force.md, "Merging byte ranges").
     */
    public PublishResult publish(View v, boolean force, boolean mergeBytes) {
        if (!v.isChild()) return versionTx.publish(v, force, mergeBytes);
        if (force)
            throw new FsException(
                    Errno.EINVAL, "a child view's publish is not forced: roll it back or abort it (" + v + ")");
        PublishResult r = childViews.publish(v);
        for (var en : r.visibleChanges().entrySet()) state.listener.visibleChange(en.getKey(), en.getValue());
        return r;
    }

    /**
     * Publishes the view's pending delta, forced, if anything was committed to it since its last publish;
     * else null. For {@link GroupCommit}.
     */
    PublishResult publishIfChanged(View v) {
        return versionTx.publishIfChanged(v);
    }

    public FlushResult flush() {
        return versionTx.flush();
    }

    /**
     * Deletes what no reader can reach any more (docs/storage-format.md, "Garbage collection"), in
     * bounded batches; views keep working meanwhile, publish and flush wait for the current batch.
     */
    public GcResult collectGarbage() {
        try {
            return collector.collect();
        } catch (StoreException e) {
            throw EngineState.storeError(e);
        }
    }

    /**
     * {@code txfs gc}: a whole collection now, the pending bytes of every view counted again from what
     * their layers store, then the store compacted (memtables made durable so old WAL files go,
     * tombstones and dead blob values dropped). Reports the state directory's bytes before and after.
     * Views keep working; publish and flush wait only for the collection's current batch.
     */
    public GcReport gc() {
        return background.collectAndCompact(this::stateBytes);
    }

    /**
     * Where the daemon keeps files of work in progress (an import's spooled layer), or null: use the
     * system's temporary directory (EngineDirectory#scratch).
     */
    public Path scratchDirectory() throws IOException {
        return stateDir.scratch();
    }

    /** Bytes of the state directory (store and chunk files); the store's estimate when it has none. */
    public long stateBytes() {
        return stateDir.bytes(state.store);
    }

    /**
     * The mount no longer refers to node ino of view v (the kernel forgot it, no descriptor is open): if
     * the view removed the node, nobody can read its own-layer chunks any more, so they go now (and the
     * view's pendingBytes with them). Returns the bytes given back. A quick look without the view's lock
     * first: most forgotten nodes are not removed ones.
     */
    public long forgotten(View v, long ino) {
        return lifecycle.forgotten(v, ino);
    }

    /**
     * The newest version at or below {@code version} in which node {@code ino} or anything in its subtree
     * changed (never below the first version with marks), or -1 if the store holds no marks for that
     * version. Equal answers for two versions mean the node's subtree is the same in both.
     */
    public long subtreeChangedAt(long ino, long version) {
        return versions.subtreeChangedAt(ino, version);
    }

    /** Tests: waits until what the gc thread was given so far has run. */
    void awaitGcThread() throws Exception {
        background.awaitGcThread();
    }

    /** A read-only handle on published version {@code version} (0 to head), for tools that compare versions. */
    public View versionView(long version) {
        return collector.versionView(version);
    }

    /** Tells the version hook of a version written by the engine itself (an outside change taken in). */
    private void outsideChangePublished(long version) {
        versionLog.hook().published(version);
    }

    /** See VersionLog#keepFrom. */
    long keepFrom() {
        return versionLog.keepFrom();
    }

    /**
     * Installs the observer of publishes and flushes (one; NONE to remove). A hook other than NONE takes
     * over keeping the versions whose delta ids are missing: it must have queued them (its
     * {@link VersionHook#oldestNeeded}) before it is installed.
     */
    public void setVersionHook(VersionHook hook) {
        versionLog.hook(hook);
    }

    /** The stored delta id of log version {@code version}, or null if none is stored (yet). */
    public DeltaIdRecord deltaId(long version) {
        return versionLog.deltaId(version);
    }

    /** Stores the delta id of log version {@code version} (not synced: a later flush's synced plan carries it). */
    public void putDeltaId(long version, DeltaIdRecord r) {
        versionLog.putDeltaId(version, r);
    }

    /** The log record of version {@code version}, or null (a version that is neither a publish nor a flush: 0). */
    public LogEntry logEntry(long version) {
        return versionLog.entry(version);
    }

    public List<LogEntry> log() {
        tx.observeGroup(null);
        return versionLog.entries();
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
            throw EngineState.storeError(e);
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

    /** The pending delta of a view, one entry per changed path, sorted by path. */
    public List<DeltaEntry> pendingDelta(View v) {
        return lifecycle.pendingDelta(v);
    }

    // ---------------------------------------------------------------- checkpoints (ViewCheckpoints)

    /**
     * Takes checkpoint {@code name} of the view's pending delta: O(changed paths), no file data copied.
     * EEXIST if the view has one of that name, ENOSPC past {@link ViewCheckpoints#LIMIT}.
     */
    public Checkpoint checkpoint(View v, String name) {
        return checkpoints.take(v, name, () -> pendingDelta(v).size());
    }

    /**
     * Puts the view's pending delta back as it was at checkpoint {@code name} (ENOENT if none) and drops the
     * checkpoints taken after it; returns what the view's kernel-facing side may have cached since.
     */
    public ChangeSet rollback(View v, String name) {
        return checkpoints.rollback(v, name);
    }

    /** The view's checkpoints, oldest first. */
    public List<Checkpoint> checkpoints(View v) {
        return v.checkpoints;
    }

    /**
     * A read-only handle on checkpoint {@code name} of the view (its base with the checkpoint's delta on top),
     * ENOENT if none. Its records never change while the checkpoint exists; a rollback to an earlier one, a
     * publish or an abort drops them, so a reader checks {@link #hasCheckpoint} once done.
     */
    public View checkpointHandle(View v, String name) {
        return checkpoints.handle(v, name);
    }

    /** Whether the checkpoint {@code handle} reads (from {@link #checkpointHandle}) still exists. */
    public boolean hasCheckpoint(View v, View handle) {
        for (Checkpoint cp : v.checkpoints) if (cp.id() == handle.id) return true;
        return false;
    }

    // ---------------------------------------------------------------- group commit

    /**
     * Groups the operations of {@code v} (the shared default view) into published versions by
     * {@code policy}; {@code onPublish} gets each group's publish result. Whatever {@code v} still holds
     * from before (a daemon killed before its group was published) is published now.
     */
    public GroupCommit groupCommit(View v, GroupPolicy policy) {
        return tx.startGroup(v, policy, versionTx::publishIfChanged);
    }

    // ---------------------------------------------------------------- POSIX operations (FileOperations)

    /**
     * Also checks the backing directory (docs/outside-changes.md): a name found is checked against its
     * backing file (one lstat), a name not found against its directory's listing (one lstat of the
     * directory); a difference is taken in and the lookup answered from the new state.
     */
    public NodeAttributes lookup(View v, long parent, byte[] name) {
        return files.lookup(v, parent, name);
    }

    public NodeAttributes setattr(View v, long ino, AttributeChange s) {
        return files.setattr(v, ino, s);
    }

    public byte[] read(View v, long ino, long offset, int length) {
        return files.read(v, ino, offset, length);
    }

    public byte[] getxattr(View v, long ino, String name) {
        return files.getxattr(v, ino, name);
    }

    /** The views' access traces: start, note, read, by view id. */
    public AccessTraces traces() {
        return traces;
    }

    /** The node's path in the view as raw name bytes ('/'-joined, none leading); null when it has no name. */
    public byte[] pathBytes(View v, long ino) {
        return files.pathBytes(v, ino);
    }

    /** Resolves a '/'-separated path from the root without following symlinks; "" and "/" are the root. */
    public long resolve(View v, String path) {
        return files.resolve(v, path);
    }

    /** The node at an exact path (name bytes joined by '/'). */
    public long resolve(View v, byte[] path) {
        return files.resolve(v, path);
    }

    public NodeAttributes getattr(View v, long ino) {
        return files.getattr(v, ino);
    }

    /** Also compares the directory with its backing listing when its stat changed (docs/outside-changes.md). */
    public List<DirEntry> readdir(View v, long dirIno) {
        return files.readdir(v, dirIno);
    }

    /** The parent of a directory (the root is its own parent), for "..". */
    public long parentOf(View v, long dirIno) {
        return files.parentOf(v, dirIno);
    }

    public byte[] readlink(View v, long ino) {
        return files.readlink(v, ino);
    }

    public NodeAttributes create(View v, long parent, byte[] name, int perm, Caller who) {
        return files.create(v, parent, name, perm, who);
    }

    public NodeAttributes mkdir(View v, long parent, byte[] name, int perm, Caller who) {
        return files.mkdir(v, parent, name, perm, who);
    }

    public NodeAttributes mknod(View v, long parent, byte[] name, FileType type, int perm, long rdev, Caller who) {
        return files.mknod(v, parent, name, type, perm, rdev, who);
    }

    public NodeAttributes symlink(View v, long parent, byte[] name, byte[] target, Caller who) {
        return files.symlink(v, parent, name, target, who);
    }

    public NodeAttributes link(View v, long ino, long newParent, byte[] newName) {
        return files.link(v, ino, newParent, newName);
    }

    public void unlink(View v, long parent, byte[] name) {
        files.unlink(v, parent, name);
    }

    public void rmdir(View v, long parent, byte[] name) {
        files.rmdir(v, parent, name);
    }

    public void rename(View v, long oldParent, byte[] oldName, long newParent, byte[] newName, int flags) {
        files.rename(v, oldParent, oldName, newParent, newName, flags);
    }

    /** Checks an open; truncate empties the file (O_TRUNC). */
    public NodeAttributes open(View v, long ino, boolean write, boolean truncate) {
        return files.open(v, ino, write, truncate);
    }

    /**
     * Reads into dst from its position, at most dst.remaining() bytes (fewer at the end of the file), and
     * returns the count. A FUSE reply buffer takes the bytes without an array per read: for 1 MiB reads
     * the allocation and zeroing of that array was half the daemon's time.
     */
    public int read(View v, long ino, long offset, ByteBuffer dst) {
        return files.read(v, ino, offset, dst);
    }

    public int write(View v, long ino, long offset, byte[] data) {
        return files.write(v, ino, offset, data);
    }

    /**
     * Writes data[0, length) at offset. The array is not kept past the call, so a FUSE reader thread can
     * reuse one buffer for every WRITE instead of allocating (and zeroing) an array of the write's size.
     */
    public int write(View v, long ino, long offset, byte[] data, int length) {
        return files.write(v, ino, offset, data, length);
    }

    /** Makes the view's pending data survive power loss (without publishing it). */
    public void fsync(View v) {
        files.fsync(v);
    }

    public List<String> listxattr(View v, long ino) {
        return files.listxattr(v, ino);
    }

    public void setxattr(View v, long ino, String name, byte[] value, int flags) {
        files.setxattr(v, ino, name, value, flags);
    }

    public void removexattr(View v, long ino, String name) {
        files.removexattr(v, ino, name);
    }

    public FilesystemSpace statfs(View v) {
        return files.statfs(v);
    }

    // ---------------------------------------------------------------- lifecycle

    /** Closes the engine: waits for running operations, then the store, then the lock file. Idempotent. */
    @Override
    public void close() {
        GroupCommit g = tx.group();
        if (g != null && !state.closed()) g.close(); // publishes what the group holds; if it cannot, the next open does
        state.publishLock.lock();
        List<View> all = new ArrayList<>(state.views.values());
        all.add(state.published);
        all.sort(Comparator.comparingLong(x -> x.id));
        for (View v : all) v.lock.writeLock().lock();
        try {
            if (state.closed()) return;
            state.markClosed();
            background.shutdown();
            state.backing.close();
            state.store.close(); // its last memtable flush syncs the chunk data first
            state.chunkData.close();
            traces.close();
            stateDir.close();
        } finally {
            for (View v : all) v.lock.writeLock().unlock();
            state.publishLock.unlock();
        }
    }
}
