package io.txfs.core;

import io.txfs.core.progress.LongWork;
import io.txfs.core.store.Batch;
import io.txfs.core.store.Bytes;
import io.txfs.core.store.ColumnFamily;
import io.txfs.core.store.KvIterator;
import io.txfs.sys.Errno;
import io.txfs.sys.LibC;
import io.txfs.sys.PathCalls;
import io.txfs.sys.RawPaths;
import io.txfs.sys.Sys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.LongStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Flush: writes the published state into the backing directory, crash-atomically (docs/recovery.md).
 * 1. stage new objects in ROOT/.txfs.flush and preserve old content snapshots still need (no locks);
 * 2. under every view's write lock (the switch): commit the redo plan, apply it (patch files in place,
 *    move replaced names out, place new ones, metadata, cleanup, fsync), then one completion batch.
 * Recovery at open runs a committed plan again (every step is idempotent) or deletes the staging area.
 */
final class Flusher {
    private static final Logger log = LoggerFactory.getLogger(Flusher.class);
    private static final byte[] PLAN_KEY = Keys.meta("plan");
    private static final int C = Engine.CHUNK;

    private final EngineState state;

    private final Collector collector;

    private final PublishedVersions versions;

    private final LayeredTree tree;
    private final BackingMeta meta;
    /**
     * Why the last flush stopped after committing its plan (null: it did not). Until the plan completes,
     * publish refuses (the plan owns the next version number) and the next flush first completes it.
     */
    private volatile String incomplete;
    /** Directory descriptors kept while a flush or recovery runs (flushes run one at a time); null between. */
    private BackingDir.Cache dirs;
    /** The running flush or recovery as others see it (LongWorks); unwatched between flushes. */
    private LongWork work = LongWork.unwatched();

    Flusher(EngineParts parts, Collector collector) {
        this.collector = collector;
        this.state = parts.state();
        this.versions = parts.versions();
        this.tree = parts.tree();
        this.meta = new BackingMeta();
    }

    /** Non-null while a committed plan is still to be completed: why it stopped. */
    String incomplete() {
        return incomplete;
    }

    void recover() {
        dirs = state.backing.dir.cache();
        try (LongWork w = state.works.start("recovery")) {
            work = w;
            recoverCached();
        } finally {
            work = LongWork.unwatched();
            dirs.close();
            dirs = null;
        }
    }

    private void recoverCached() {
        byte[] p = state.store.get(ColumnFamily.FLUSH, PLAN_KEY);
        try {
            if (p == null) {
                if (lstatOrNull(Engine.STAGING) != null) {
                    log.warn("removing the staging area of a flush interrupted before its plan was committed");
                    deleteTree(Engine.STAGING);
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
    FlushResult flush(DeltaIdRecord deltaId, LongWork w) {
        dirs = state.backing.dir.cache();
        try {
            work = w;
            return flushCached(deltaId);
        } finally {
            work = LongWork.unwatched();
            dirs.close();
            dirs = null;
        }
    }

    private FlushResult flushCached(DeltaIdRecord deltaId) {
        FlushResult completed = incomplete != null ? rollForward() : null;
        long head = state.head;
        long was = state.flushed;
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

    private record Move(String path, long node, long ino, String staging, int depth) {}

    private FlushResult flush(long head, long flushed, DeltaIdRecord deltaId) throws IOException {
        ViewOperation now = new ViewOperation(state.published, head);
        ViewOperation old = new ViewOperation(state.published, flushed);
        ChangeSet changed = versions.changesBetween(flushed, head);
        deleteTree(Engine.STAGING);
        Map<String, Object> rootBefore = Backing.lstat(state.backing.root);
        try (BackingDir.Entry st = entry(Engine.STAGING)) {
            Files.createDirectory(st.path);
        }
        FlushPlan plan = new FlushPlan();
        plan.head = head;
        plan.version = head + 1;

        List<Move> moves = new ArrayList<>();
        Map<Long, List<String>> placeNodes = new LinkedHashMap<>();
        Set<String> placePaths = new HashSet<>();
        Set<String> dirsToSync = new TreeSet<>();
        dirsToSync.add("");
        for (ChangeSet.Entry en : changed.entries()) {
            String oldDir = dirPath(old, en.parent());
            String newDir = dirPath(now, en.parent());
            long oldChild = oldDir == null
                    ? 0
                    : versions.dent(en.parent(), en.name(), flushed).child();
            long newChild = newDir == null
                    ? 0
                    : versions.dent(en.parent(), en.name(), head).child();
            if (oldChild == newChild) continue;
            if (oldChild != 0) {
                NodeRecord r0 = versions.node(oldChild, flushed);
                String p = join(oldDir, en.name());
                if (r0 != null && r0.hasBase) {
                    moves.add(new Move(p, oldChild, r0.bino, "o" + moves.size(), depth(p)));
                }
            }
            if (newChild != 0) {
                String p = join(newDir, en.name());
                placeNodes.computeIfAbsent(newChild, k -> new ArrayList<>()).add(p);
                placePaths.add(p);
                dirsToSync.add(newDir);
            }
        }
        Map<Long, Move> movedOut = new HashMap<>();
        for (Move m : moves) movedOut.putIfAbsent(m.node(), m);

        // Existing files whose content changed are patched in place (keeps hard links and inode numbers).
        List<FlushPlan.Step> patches = new ArrayList<>();
        List<Long> rewrites = new ArrayList<>();
        Set<Long> preserveCandidates = new LinkedHashSet<>();
        // content patched in place: only the chunks the patch overwrites need keeping for old readers
        Map<Long, Set<Long>> overwritten = new HashMap<>();
        for (long id : changed.inodes()) {
            NodeRecord r = versions.node(id, head);
            if (r == null || r.type != FileType.REGULAR || !inBacking(old, id)) continue;
            NodeRecord r0 = versions.node(id, flushed);
            boolean alive = r.nlink > 0 && !r.links.isEmpty() && tree.rawPathOf(now, id) != null;
            if (!alive) {
                preserveCandidates.add(id);
                continue;
            }
            if (!r.hasBase || !r.identity().equals(r0.identity())) {
                // A forced publish from an older snapshot: its content is based on a file this backing
                // directory no longer holds, so it is rewritten whole rather than patched.
                rewrites.add(id);
                preserveCandidates.add(id);
            } else if (r.chainLayer.length > 0 || r.baseValid != r.bsize || r.size != r.bsize) {
                patches.add(new FlushPlan.Step(FlushPlan.Kind.PATCH, id, tree.rawPathOf(old, id), "", r0.bino));
                preserveCandidates.add(id);
                overwritten.put(id, overwrittenChunks(id, r, r0.identity()));
            } else if (r.mtime != r0.bmtime) {
                preserveCandidates.add(id); // a new identity for the same bytes: nothing to copy
                overwritten.put(id, Set.of());
            }
        }
        for (Move m : moves) {
            NodeRecord r = versions.node(m.node(), head);
            if (r != null && r.type == FileType.REGULAR && (r.nlink == 0 || tree.rawPathOf(now, m.node()) == null)) {
                preserveCandidates.add(m.node());
            }
        }
        Set<Long> preserved = new HashSet<>();
        for (long id : preserveCandidates) {
            verifyUnchanged(old, id);
            if (snapshotsNeedOld(head) || pendingRefers(id)) preserve(old, id, preserved, overwritten.get(id));
        }

        // Stage every object that is new in the backing directory, with all its metadata, and rehearse
        // the metadata of existing objects on stand-ins: whatever the backing filesystem refuses is found
        // here, before the plan is committed, while the backing directory is still the flushed state.
        long bytes = 0;
        List<FlushRefusedException.Problem> problems = new ArrayList<>();
        Map<String, List<String>> verified = new HashMap<>();
        Map<Long, String> stagedName = new HashMap<>();
        Map<Long, Long> stagedIno = new HashMap<>();
        work.phase("stage", placeNodes.size() + rewrites.size(), LongWork.UNKNOWN);
        for (long id : placeNodes.keySet()) {
            work.advance(1, 0);
            if (inBacking(old, id)) continue;
            NodeRecord r = versions.node(id, head);
            String name = "n" + id;
            Staged st = stageFaithfully(id, r, name, now, problems, verified);
            if (st == null) continue;
            bytes += st.bytes();
            work.advance(0, st.bytes());
            stagedName.put(id, name);
            stagedIno.put(id, st.ino());
            state.faults.reached(FaultPoint.FLUSH_STAGED_FILE);
        }
        List<FlushPlan.Step> replaces = new ArrayList<>();
        for (long id : rewrites) {
            NodeRecord r = versions.node(id, head);
            String name = "r" + id;
            work.advance(1, 0);
            Staged st = stageFaithfully(id, r, name, now, problems, verified);
            if (st == null) continue;
            bytes += st.bytes();
            work.advance(0, st.bytes());
            replaces.add(new FlushPlan.Step(FlushPlan.Kind.REPLACE, id, tree.rawPathOf(now, id), name, st.ino()));
            state.faults.reached(FaultPoint.FLUSH_STAGED_FILE);
        }
        Set<Long> metaNodes = new LinkedHashSet<>(changed.inodes());
        metaNodes.addAll(placeNodes.keySet());
        for (long id : metaNodes) {
            if (!stagedName.containsKey(id) && !rewrites.contains(id)) rehearse(old, now, id, problems, verified);
        }
        refuseIf(problems, head, rootBefore);
        fsyncDir(Engine.STAGING);

        plan.steps.addAll(patches);
        moves.sort(Comparator.comparingInt(Move::depth).reversed());
        for (Move m : moves)
            plan.steps.add(new FlushPlan.Step(FlushPlan.Kind.MOVE_OUT, m.node(), m.path(), m.staging(), m.ino()));
        List<FlushPlan.Step> places = new ArrayList<>();
        List<FlushPlan.Step> links = new ArrayList<>();
        for (var en : placeNodes.entrySet()) {
            long id = en.getKey();
            List<String> paths = new ArrayList<>(en.getValue());
            paths.sort(Comparator.comparingInt(Flusher::depth).thenComparing(Comparator.naturalOrder()));
            String source = stagedName.get(id);
            long ino = source != null ? stagedIno.get(id) : 0;
            if (source == null && movedOut.containsKey(id)) {
                source = movedOut.get(id).staging();
                ino = movedOut.get(id).ino();
            }
            if (source != null) {
                places.add(new FlushPlan.Step(FlushPlan.Kind.PLACE, id, paths.get(0), source, ino));
                for (String p : paths.subList(1, paths.size()))
                    links.add(new FlushPlan.Step(FlushPlan.Kind.LINK, id, p, paths.get(0), ino));
            } else {
                String existing = unchangedLinkPath(now, id, placePaths);
                NodeRecord r0 = versions.node(id, flushed);
                if (existing == null || r0 == null) {
                    throw new IOException("flush: no source for node " + id + " at " + paths);
                }
                for (String p : paths) links.add(new FlushPlan.Step(FlushPlan.Kind.LINK, id, p, existing, r0.bino));
            }
        }
        places.sort(Comparator.comparingInt(s -> depth(s.path())));
        plan.steps.addAll(places);
        plan.steps.addAll(links);
        plan.steps.addAll(replaces);

        List<FlushPlan.Step> metas = new ArrayList<>();
        for (long id : metaNodes) {
            NodeRecord r = versions.node(id, head);
            if (r == null || (r.nlink == 0 && id != Engine.ROOT)) continue;
            String p = tree.rawPathOf(now, id);
            if (p == null) continue;
            metas.add(new FlushPlan.Step(FlushPlan.Kind.META, id, p, "", r.isDir() ? 1 : 0));
        }
        metas.sort(Comparator.comparingLong((FlushPlan.Step s) -> s.ino()).thenComparing(s -> -depth(s.path())));
        // cleanup first: removing the staging directory changes the root's times, which the root's
        // metadata step then sets back (it runs in every flush, changed or not)
        plan.steps.add(new FlushPlan.Step(FlushPlan.Kind.CLEANUP, 0, Engine.STAGING, "", 0));
        plan.steps.addAll(metas);
        plan.identify.addAll(metas);
        if (!metaNodes.contains(Engine.ROOT))
            plan.steps.add(new FlushPlan.Step(FlushPlan.Kind.META, Engine.ROOT, "", "", 1));
        for (FlushPlan.Step s : patches) dirsToSync.add(parentOf(s.path()));
        for (String d : dirsToSync) plan.steps.add(new FlushPlan.Step(FlushPlan.Kind.FSYNC_DIR, 0, d, "", 0));
        for (FlushPlan.Step s : patches) {
            NodeRecord r = versions.node(s.node(), head);
            bytes += r.size;
        }
        plan.bytes = bytes;
        // a directory on a path of the plan swapped for a symlink is found now, while refusing still
        // leaves BACKING as it was (one swapped later stops the plan at that step, see stopped())
        for (String bad : symlinkedDirs(plan))
            problems.add(new FlushRefusedException.Problem(
                    "/" + Backing.display(bad), new BackingSymlinkException(bad).getMessage()));
        refuseIf(problems, head, rootBefore);

        List<View> all = lockAll();
        try {
            // Views may have copied a file up while we staged: preserve what they now need.
            for (long id : preserveCandidates) {
                if (!preserved.contains(id) && (snapshotsNeedOld(head) || pendingRefers(id))) {
                    preserve(old, id, preserved, overwritten.get(id));
                }
            }
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
        return new FlushResult(plan.version, metas.size(), bytes, false);
    }

    /** Refuses the flush if anything is in problems: nothing of BACKING changed (the staging area goes). */
    private void refuseIf(List<FlushRefusedException.Problem> problems, long head, Map<String, Object> rootBefore)
            throws IOException {
        if (problems.isEmpty()) return;
        deleteTree(Engine.STAGING);
        restoreTimes(state.backing.root, rootBefore);
        FlushRefusedException refused = new FlushRefusedException(head, problems);
        log.error(refused.getMessage());
        throw refused;
    }

    /** The symlinks found where the plan's steps need directories (each named once). */
    private Set<String> symlinkedDirs(FlushPlan plan) {
        Set<String> bad = new TreeSet<>();
        Set<String> checked = new HashSet<>();
        for (FlushPlan.Step s : plan.steps) {
            String dir = switch (s.kind()) {
                case FSYNC_DIR -> s.path();
                case META -> s.ino() == 1 ? s.path() : parentOf(s.path());
                case CLEANUP -> "";
                default -> parentOf(s.path());
            };
            if (!checked.add(dir)) continue;
            try {
                state.backing.dir.checkNoSymlink(dir);
            } catch (BackingSymlinkException ex) {
                bad.add(ex.rel);
            }
        }
        return bad;
    }

    private static final String STAGED = Engine.STAGING + "/";

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
                    try (BackingDir.Entry p = entry(s.path())) {
                        patch(s, plan.head, p);
                    }
                }
                case MOVE_OUT -> {
                    try (BackingDir.Entry p = entry(s.path())) {
                        Long ino = inoOf(p.path);
                        if (ino != null && ino == s.ino()) {
                            try (BackingDir.Entry to = entry(STAGED + s.other())) {
                                Files.move(p.path, to.path, StandardCopyOption.ATOMIC_MOVE);
                                forget(s.path());
                            }
                        }
                    }
                }
                case PLACE, REPLACE -> {
                    try (BackingDir.Entry p = entry(s.path())) {
                        Long ino = inoOf(p.path);
                        if (ino == null || ino != s.ino()) {
                            try (BackingDir.Entry src = entry(STAGED + s.other())) {
                                if (s.kind() == FlushPlan.Kind.PLACE && inoOf(src.path) == null) {
                                    throw new IOException(
                                            "flush plan inconsistent: " + STAGED + s.other() + " missing");
                                }
                                Files.move(src.path, p.path, StandardCopyOption.ATOMIC_MOVE);
                                forget(STAGED + s.other());
                                forget(s.path());
                            }
                        }
                    }
                }
                case LINK -> {
                    try (BackingDir.Entry p = entry(s.path())) {
                        Long ino = inoOf(p.path);
                        if (ino == null || ino != s.ino()) {
                            if (ino != null) {
                                Files.delete(p.path);
                                forget(s.path());
                            }
                            // link(2) does not follow a symlink at the existing name
                            try (BackingDir.Entry existing = entry(s.other())) {
                                Files.createLink(p.path, existing.path);
                            }
                        }
                    }
                }
                case META -> meta(s.node(), plan.head, s.path());
                case CLEANUP -> deleteTree(Engine.STAGING);
                case FSYNC_DIR -> fsyncDir(s.path());
            }
        }
    }

    /** The object at raw backing path rel, its directory from this flush's cache. */
    private BackingDir.Entry entry(String rel) throws IOException {
        return dirs != null ? dirs.entry(rel) : state.backing.entry(rel);
    }

    /** rel was renamed or deleted: a directory descriptor cached under its path names something else now. */
    private void forget(String rel) {
        if (dirs != null) dirs.forget(rel);
    }

    /** The object at raw backing path rel; "" is the root directory itself. */
    private BackingDir.Entry at(String rel) throws IOException {
        return rel.isEmpty() ? state.backing.dir(rel) : entry(rel);
    }

    private void complete(FlushPlan plan) throws IOException {
        Batch b = new Batch();
        Set<Long> written = plan.contentWritten();
        for (FlushPlan.Step s : plan.identify) {
            Map<String, Object> a;
            try (BackingDir.Entry en = at(s.path())) {
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
            if (r.type == FileType.REGULAR) nameSuccessor(b, s.node(), r.identity());
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
                View after = new View(
                        v.name,
                        v.id,
                        v.isolation,
                        v.ownerUid,
                        v.createdNs,
                        plan.version,
                        v.layer,
                        v.pendingBytes,
                        v.anonymous);
                b.put(ColumnFamily.VIEWS, v.name.getBytes(StandardCharsets.UTF_8), after.encode());
            }
        }
        state.faults.reached(FaultPoint.FLUSH_BEFORE_COMPLETION);
        state.store.write(b, true);
        state.faults.reached(FaultPoint.FLUSH_AFTER_COMPLETION);
        state.flushed = plan.version;
        state.head = plan.version;
        for (View v : bumped) v.snapshot = plan.version;
        state.backing.closeAll();
    }

    // ---------------------------------------------------------------- staging and rehearsal

    private record Staged(long ino, long bytes) {}

    /**
     * Creates node id as STAGING/name with its content and every piece of metadata, and reads it back;
     * null (and a problem naming the node's published path) when the backing filesystem refused or did
     * not keep something.
     */
    private Staged stageFaithfully(
            long id,
            NodeRecord r,
            String name,
            ViewOperation now,
            List<FlushRefusedException.Problem> problems,
            Map<String, List<String>> verified) {
        try (BackingDir.Entry en = entry(STAGED + name)) {
            long bytes = stage(id, r, en);
            long ino = meta.apply(r, en, Set.of());
            String sig = BackingMeta.signature(r);
            List<String> lost = verified.get(sig);
            if (lost == null) {
                lost = meta.differences(r, en);
                verified.put(sig, lost);
            }
            if (!lost.isEmpty()) {
                problems.add(problem(now, id, String.join(", ", lost)));
                return null;
            }
            if (r.isDir() && (r.perm & 0700) != 0700) {
                // placing its children needs write access for a daemon that is not root; the metadata
                // step after the placements sets the published mode
                if (LibC.INSTANCE.fchmodat(Sys.AT_FDCWD, en.cPath, r.perm | 0700, Sys.AT_SYMLINK_NOFOLLOW) != 0) {
                    throw PathCalls.error("chmod", en.cPath);
                }
            }
            return new Staged(ino, bytes);
        } catch (IOException ex) {
            problems.add(problem(now, id, ex.getMessage()));
            return null;
        }
    }

    /**
     * An existing object whose metadata this flush changes in place: the same metadata goes on a stand-in
     * of the same type in the staging directory first (same filesystem, same limits), so a refusal is
     * found before the plan is committed. Not covered: limits that depend on what else that very inode
     * holds (xattrs txfs does not manage, such as security labels); such a refusal stops the flush after
     * its plan (see stopped()).
     */
    private void rehearse(
            ViewOperation old,
            ViewOperation now,
            long id,
            List<FlushRefusedException.Problem> problems,
            Map<String, List<String>> verified)
            throws IOException {
        NodeRecord r = versions.node(id, now.snap);
        NodeRecord r0 = versions.node(id, old.snap);
        if (r == null || r0 == null || (r.nlink == 0 && id != Engine.ROOT) || tree.rawPathOf(now, id) == null) return;
        if (r.perm == r0.perm
                && r.uid == r0.uid
                && r.gid == r0.gid
                && r.mtime == r0.mtime
                && r.atime == r0.atime
                && xattrsEqual(r, r0)) {
            return;
        }
        String sig = BackingMeta.signature(r);
        List<String> known = verified.get(sig);
        if (known != null) {
            if (!known.isEmpty()) problems.add(problem(now, id, String.join(", ", known)));
            return;
        }
        try (BackingDir.Entry en = entry(STAGED + "p" + id)) {
            try {
                standIn(r, en);
                meta.apply(r, en, Set.of());
                List<String> lost = meta.differences(r, en);
                verified.put(sig, lost);
                if (!lost.isEmpty()) problems.add(problem(now, id, String.join(", ", lost)));
            } catch (IOException ex) {
                // a refused call: remembered too, so every node of this signature is named with the reason
                verified.put(sig, List.of(ex.getMessage()));
                problems.add(problem(now, id, ex.getMessage()));
            } finally {
                if (inoOf(en.path) != null) {
                    Files.delete(en.path);
                    forget(STAGED + "p" + id);
                }
            }
        } catch (BackingSymlinkException ex) {
            problems.add(problem(now, id, ex.getMessage()));
        }
    }

    private static boolean xattrsEqual(NodeRecord a, NodeRecord b) {
        if (!a.xattrs.keySet().equals(b.xattrs.keySet())) return false;
        for (var x : a.xattrs.entrySet()) if (!Arrays.equals(x.getValue(), b.xattrs.get(x.getKey()))) return false;
        return true;
    }

    /** An empty object of r's type at rel; a device the daemon may not make is stood in for by a file. */
    private void standIn(NodeRecord r, BackingDir.Entry en) throws IOException {
        byte[] c = en.cPath;
        switch (r.type) {
            case REGULAR -> create(en.path).close();
            case DIRECTORY -> Files.createDirectory(en.path);
            case SYMLINK -> {
                if (LibC.INSTANCE.symlink(RawPaths.cString(r.target), c) != 0) throw PathCalls.error("symlink", c);
            }
            default -> {
                if (LibC.INSTANCE.mknod(c, r.type.bits() | 0600, r.rdev) != 0) {
                    if (LibC.errno() != Errno.EPERM.code()) throw PathCalls.error("mknod", c);
                    create(en.path).close();
                }
            }
        }
    }

    private FlushRefusedException.Problem problem(ViewOperation now, long id, String reason) {
        String p = tree.rawPathOf(now, id);
        return new FlushRefusedException.Problem(p == null ? "node " + id : "/" + Backing.display(p), reason);
    }

    /** Sets the atime and mtime lstat saw (a refused flush leaves even the root's times as they were). */
    private static void restoreTimes(Path p, Map<String, Object> a) {
        long at = Backing.ns(a.get("lastAccessTime"));
        long mt = Backing.ns(a.get("lastModifiedTime"));
        long[] times = {
            Math.floorDiv(at, 1_000_000_000L),
            Math.floorMod(at, 1_000_000_000L),
            Math.floorDiv(mt, 1_000_000_000L),
            Math.floorMod(mt, 1_000_000_000L)
        };
        byte[] c = RawPaths.cString(RawPaths.absolute(p));
        if (LibC.INSTANCE.utimensat(Sys.AT_FDCWD, c, times, Sys.AT_SYMLINK_NOFOLLOW) != 0) {
            log.warn("flush refused: could not set the times of {} back: {}", p, LibC.describe(LibC.errno()));
        }
    }

    // ---------------------------------------------------------------- steps

    /** The chunks of node id's chain that a patch writes over the backing file (below the record's size). */
    private TreeSet<Long> chainChunks(long id, NodeRecord r) {
        Set<Long> chain = new HashSet<>();
        for (long l : r.chainLayer) chain.add(l);
        TreeSet<Long> indexes = new TreeSet<>();
        try (KvIterator it = state.store.scan(ColumnFamily.CHUNK, Bytes.longs(id))) {
            for (; it.valid(); it.next()) {
                long k = Bytes.getLong(it.key(), 8);
                if (chain.contains(Bytes.getLong(it.key(), 16)) && k * C < r.size) indexes.add(k);
            }
        }
        return indexes;
    }

    /**
     * The chunks of the old content {@code before} whose bytes a patch to record r changes on disk: those
     * the chain writes and those from the truncate to {@code baseValid} on (cut, then zeros or chunks).
     */
    private TreeSet<Long> overwrittenChunks(long id, NodeRecord r, Identity before) {
        TreeSet<Long> ks = chainChunks(id, r);
        ks.removeIf(k -> k * C >= before.size());
        if (r.baseValid < before.size()) for (long k = r.baseValid / C; k * C < before.size(); k++) ks.add(k);
        return ks;
    }

    /** Rewrites the chunks the record holds over the file's own bytes; idempotent. */
    private void patch(FlushPlan.Step s, long head, BackingDir.Entry en) throws IOException {
        Long ino = inoOf(en.path);
        if (ino == null || ino != s.ino()) return; // already patched and moved on by an earlier run
        NodeRecord r = versions.node(s.node(), head);
        TreeSet<Long> indexes = chainChunks(s.node(), r);
        try (FileChannel ch = FileChannel.open(en.path, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
            if (r.baseValid < ch.size()) ch.truncate(r.baseValid);
            for (long k : indexes) {
                byte[] data = Content.chunk(state, s.node(), r, k);
                int want = (int) Math.min(C, r.size - k * C);
                ByteBuffer buf = ByteBuffer.allocate(want);
                buf.put(data, 0, Math.min(data.length, want));
                buf.flip();
                long pos = k * C;
                while (buf.hasRemaining()) pos += ch.write(buf, pos);
            }
            setLength(ch, en, r.size);
            ch.force(true);
        }
    }

    /**
     * ftruncate to n. Growing needs ftruncate(2) on a descriptor of our own (FileChannel only shrinks),
     * opened O_NOFOLLOW | O_NONBLOCK: truncate(2) by path would follow a symlink put at the name meanwhile.
     */
    private static void setLength(FileChannel ch, BackingDir.Entry en, long n) throws IOException {
        if (n < ch.size()) {
            ch.truncate(n);
        } else if (n > ch.size()) {
            LibC libc = LibC.INSTANCE;
            int fd = libc.open(en.cPath, Sys.O_WRONLY | Sys.O_NOFOLLOW | Sys.O_NONBLOCK | Sys.O_CLOEXEC, 0);
            if (fd < 0) throw PathCalls.error("open", en.cPath);
            try {
                if (libc.ftruncate(fd, n) != 0) throw PathCalls.error("ftruncate", en.cPath);
            } finally {
                libc.close(fd);
            }
        }
    }

    private static FileChannel create(Path p) throws IOException {
        return FileChannel.open(
                p,
                StandardOpenOption.READ,
                StandardOpenOption.WRITE,
                StandardOpenOption.CREATE_NEW,
                LinkOption.NOFOLLOW_LINKS);
    }

    /** Creates the object of node id at raw backing path rel (in the staging directory). */
    private long stage(long id, NodeRecord r, BackingDir.Entry en) throws IOException {
        long bytes = 0;
        Path p = en.path;
        switch (r.type) {
            case DIRECTORY -> Files.createDirectory(p);
            case SYMLINK -> {
                // exact target bytes: java.nio would decode them and normalize "a//b/"
                byte[] c = en.cPath;
                if (LibC.INSTANCE.symlink(RawPaths.cString(r.target), c) != 0) throw PathCalls.error("symlink", c);
            }
            case REGULAR -> {
                if (!r.hasBase) return stageFromChunks(id, r, en);
                try (FileChannel ch = create(p)) {
                    for (long k = 0; k * C < r.size; k++) {
                        byte[] data = Content.chunk(state, id, r, k);
                        if (data.length == 0) continue;
                        ByteBuffer buf = ByteBuffer.wrap(data, 0, (int) Math.min(data.length, r.size - k * C));
                        long pos = k * C;
                        while (buf.hasRemaining()) pos += ch.write(buf, pos);
                        bytes += data.length;
                    }
                    setLength(ch, en, r.size);
                    ch.force(true);
                }
            }
            default -> {
                byte[] c = en.cPath;
                if (LibC.INSTANCE.mknod(c, r.type.bits() | (r.perm & 0777), r.rdev) != 0)
                    throw PathCalls.error("mknod", c);
            }
        }
        return bytes;
    }

    /** A file with no backing base: one ordered scan of its chunks, the newest layer per chunk. */
    private long stageFromChunks(long id, NodeRecord r, BackingDir.Entry en) throws IOException {
        Map<Long, Integer> rank = new HashMap<>();
        for (int i = 0; i < r.chainLayer.length; i++) rank.put(r.chainLayer[i], i);
        long bytes = 0;
        try (FileChannel ch = create(en.path);
                KvIterator it = state.store.scan(ColumnFamily.CHUNK, Bytes.longs(id))) {
            ChunkCopier out = new ChunkCopier(ch, id, r);
            long curIdx = -1;
            byte[] best = null;
            int bestRank = Integer.MAX_VALUE;
            for (; it.valid(); it.next()) {
                byte[] k = it.key();
                long idx = Bytes.getLong(k, 8);
                if (idx * C >= r.size) break;
                Integer rk = rank.get(Bytes.getLong(k, 16));
                if (rk == null) continue;
                if (idx != curIdx) {
                    bytes += out.chunk(curIdx, best, bestRank);
                    curIdx = idx;
                    best = null;
                    bestRank = Integer.MAX_VALUE;
                }
                if (rk < bestRank) {
                    best = it.value();
                    bestRank = rk;
                }
            }
            bytes += out.chunk(curIdx, best, bestRank);
            out.finish();
            setLength(ch, en, r.size);
            ch.force(true);
        }
        return bytes;
    }

    /**
     * Writes chunks in ascending order into a new file. Whole external chunks of one layer that follow
     * each other are contiguous in its data file too: they go in one kernel-side copy.
     */
    private final class ChunkCopier {
        private final FileChannel ch;
        private final long id;
        private final NodeRecord r;
        private long runLayer = -1;
        private long runStart;
        private long runBytes;

        ChunkCopier(FileChannel ch, long id, NodeRecord r) {
            this.ch = ch;
            this.id = id;
            this.r = r;
        }

        long chunk(long idx, byte[] value, int rank) throws IOException {
            if (value == null) return 0;
            long valid = Math.min(r.chainValid[rank], r.size) - idx * C;
            int n = (int) Math.max(0, Math.min(Content.storedLength(value), valid));
            if (n == 0) return 0;
            long pos = idx * C;
            if (!Content.isExternal(value)) {
                finish();
                ByteBuffer buf = ByteBuffer.wrap(value, 1, n);
                while (buf.hasRemaining()) pos += ch.write(buf, pos);
                return n;
            }
            long layer = r.chainLayer[rank];
            if (runLayer != layer || runStart + runBytes != pos || runBytes % C != 0) finish();
            if (runLayer == -1) {
                runLayer = layer;
                runStart = pos;
            }
            runBytes += n;
            return n;
        }

        void finish() throws IOException {
            if (runLayer != -1 && runBytes > 0) state.chunkData.copyTo(id, runLayer, runStart, runBytes, ch, runStart);
            runLayer = -1;
            runBytes = 0;
        }
    }

    /**
     * The META step: node id's published metadata onto its backing path (idempotent). Xattrs the flushed
     * record had and the published one has not are removed too, whatever their namespace.
     */
    private void meta(long id, long head, String rel) throws IOException {
        NodeRecord r = versions.node(id, head);
        if (r == null) return;
        NodeRecord was = versions.node(id, state.flushed);
        Set<String> drop = new HashSet<>();
        if (was != null) {
            for (String n : was.xattrs.keySet()) if (!r.xattrs.containsKey(n)) drop.add(n);
        }
        try (BackingDir.Entry en = at(rel)) {
            meta.apply(r, en, drop);
        } catch (NoSuchFileException gone) {
            // not there: a node this plan removed again (a rerun after a crash)
        }
    }

    // ---------------------------------------------------------------- preserving old content

    private boolean snapshotsNeedOld(long head) {
        for (View v : state.views.values()) if (v.isolation == Isolation.SNAPSHOT && v.snapshot < head) return true;
        return collector.oldestPin() < head; // pinned handles read their version like snapshots
    }

    private boolean pendingRefers(long id) {
        for (View v : state.views.values())
            if (state.store.get(ColumnFamily.P_NODE, Keys.pNode(v.id, id)) != null) return true;
        return false;
    }

    private void verifyUnchanged(ViewOperation old, long id) throws IOException {
        NodeRecord r0 = versions.node(id, old.snap);
        String p = tree.rawPathOf(old, id);
        if (r0 == null || !r0.hasBase || p == null) return;
        Identity have;
        try (BackingDir.Entry en = entry(p)) {
            have = Backing.identity(Backing.lstat(en.path));
        } catch (NoSuchFileException gone) {
            throw new BackingChangedException(id, Backing.display(p), "removed");
        }
        if (!r0.identity().matchesDisk(have)) {
            // Engine.flush takes the change in and flushes again: the file must not be replaced unseen
            throw new BackingChangedException(id, Backing.display(p), have + " != " + r0.identity());
        }
    }

    /**
     * Copies old backing content of node id into the store, keyed by its identity: every chunk when the
     * file goes (only == null), else only the chunks in {@code only}, those the flush overwrites, as a
     * partial copy whose successor the completion batch names (nameSuccessor; PreservedMarker).
     */
    private void preserve(ViewOperation old, long id, Set<Long> done, Set<Long> only) throws IOException {
        NodeRecord r0 = versions.node(id, old.snap);
        String p = tree.rawPathOf(old, id);
        if (r0 == null || !r0.hasBase || p == null || r0.type != FileType.REGULAR) return;
        Identity ident = r0.identity();
        done.add(id);
        byte[] m = state.store.get(ColumnFamily.PRESERVED, Keys.preserved(ident, -1));
        PreservedMarker was = m == null ? null : PreservedMarker.decode(m);
        if (was != null && was.isComplete()) return;
        // a copy left by a refused flush (or one named while this content was last on disk) holds this
        // same content: its chunks stay and are counted
        long bytes = was == null || was.bytes() < 0 ? 0 : was.bytes();
        try (BackingDir.Entry en = entry(p);
                FileChannel ch = FileChannel.open(en.path, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            Batch b = new Batch();
            Iterable<Long> chunks = only != null
                    ? only
                    : () -> LongStream.range(0, (ident.size() + C - 1) / C).iterator();
            if (only == null) bytes = 0;
            for (long k : chunks) {
                byte[] key = Keys.preserved(ident, k);
                if (only != null) {
                    byte[] had = state.store.get(ColumnFamily.PRESERVED, key);
                    if (had != null) bytes -= had.length - 1;
                }
                ByteBuffer buf = ByteBuffer.allocate(1 + (int) Math.min(C, ident.size() - k * C));
                buf.put((byte) 1);
                long pos = k * C;
                while (buf.hasRemaining()) {
                    int n = ch.read(buf, pos);
                    if (n < 0) break;
                    pos += n;
                }
                b.put(ColumnFamily.PRESERVED, key, buf.array());
                bytes += buf.capacity() - 1;
                if (b.size() >= 64) {
                    state.store.write(b, false);
                    b = new Batch();
                }
            }
            PreservedMarker marker =
                    only == null ? PreservedMarker.complete(id, bytes) : PreservedMarker.staged(id, bytes);
            b.put(ColumnFamily.PRESERVED, Keys.preserved(ident, -1), marker.encode());
            state.store.write(b, false);
        }
    }

    /**
     * In the completion batch: the partial copy of node id's old content (staged by preserve) gets the
     * identity the file now has as its successor. Derived from the store, so a rerun after a crash does
     * the same. A stale successor link of the identity now on disk (its content came back: a restored
     * mtime) goes; its chunks, the same bytes as the disk's, stay for the collector.
     */
    private void nameSuccessor(Batch b, long id, Identity now) {
        NodeRecord was = versions.node(id, state.flushed);
        if (was == null || !was.hasBase || was.type != FileType.REGULAR) return;
        Identity before = was.identity();
        if (before.equals(now)) return;
        byte[] m = state.store.get(ColumnFamily.PRESERVED, Keys.preserved(before, -1));
        if (m != null) {
            PreservedMarker pm = PreservedMarker.decode(m);
            if (pm.kind() == PreservedMarker.STAGED)
                b.put(
                        ColumnFamily.PRESERVED,
                        Keys.preserved(before, -1),
                        pm.withSuccessor(now).encode());
        }
        byte[] mine = state.store.get(ColumnFamily.PRESERVED, Keys.preserved(now, -1));
        if (mine != null && !PreservedMarker.decode(mine).isComplete())
            b.delete(ColumnFamily.PRESERVED, Keys.preserved(now, -1));
    }

    // ---------------------------------------------------------------- helpers

    private boolean inBacking(ViewOperation old, long id) {
        NodeRecord r0 = versions.node(id, old.snap);
        return r0 != null && r0.hasBase && tree.rawPathOf(old, id) != null && (r0.nlink > 0 || id == Engine.ROOT);
    }

    private String dirPath(ViewOperation c, long dir) {
        NodeRecord r = tree.node(c, dir);
        if (r == null || !r.isDir() || (r.nlink == 0 && dir != Engine.ROOT)) return null;
        return tree.rawPathOf(c, dir);
    }

    private String unchangedLinkPath(ViewOperation now, long id, Set<String> placed) {
        NodeRecord r = versions.node(id, now.snap);
        for (EntryName l : r.links) {
            String d = dirPath(now, l.parent());
            if (d == null) continue;
            String p = join(d, l.name());
            if (!placed.contains(p)) return p;
        }
        return null;
    }

    private static String join(String dir, byte[] name) {
        String n = Backing.raw(name);
        return dir.isEmpty() ? n : dir + "/" + n;
    }

    private static int depth(String p) {
        if (p.isEmpty()) return 0;
        int d = 1;
        for (int i = 0; i < p.length(); i++) if (p.charAt(i) == '/') d++;
        return d;
    }

    private static String parentOf(String p) {
        int i = p.lastIndexOf('/');
        return i < 0 ? "" : p.substring(0, i);
    }

    private static Long inoOf(Path p) throws IOException {
        try {
            return (Long) Backing.lstat(p).get("ino");
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** fsync of directory rel, opened beneath BACKING (never a symlink, never a FIFO or device). */
    private void fsyncDir(String rel) throws IOException {
        try (BackingDir.Entry d = state.backing.dir(rel);
                FileChannel ch = FileChannel.open(d.path, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (NoSuchFileException gone) {
            // a directory deleted by this flush has nothing left to sync
        }
    }

    /** lstat of raw backing path rel, null when there is nothing there. */
    private Map<String, Object> lstatOrNull(String rel) throws IOException {
        try (BackingDir.Entry en = entry(rel)) {
            return Backing.lstat(en.path);
        } catch (NoSuchFileException gone) {
            return null;
        }
    }

    /**
     * Deletes raw backing path rel and, if it is a directory, everything in it; a symlink is deleted
     * itself, never followed. Each directory is listed through a descriptor opened beneath BACKING, and
     * each name deleted through its directory's descriptor, so a directory swapped for a symlink while
     * this runs stops it (BackingSymlinkException) instead of deleting elsewhere.
     */
    private void deleteTree(String rel) throws IOException {
        Map<String, Object> a = lstatOrNull(rel);
        if (a == null) return;
        if (FileType.fromMode((Integer) a.get("mode")) == FileType.DIRECTORY) {
            List<String> children = new ArrayList<>();
            try (BackingDir.Entry d = state.backing.dir(rel);
                    DirectoryStream<Path> ds = Files.newDirectoryStream(d.path)) {
                for (Path c : ds) children.add(rel + "/" + Backing.raw(RawPaths.fileName(c)));
            }
            for (String c : children) deleteTree(c);
        }
        try (BackingDir.Entry en = entry(rel)) {
            Files.delete(en.path);
        } catch (NoSuchFileException gone) {
            // deleted meanwhile
        } finally {
            forget(rel);
        }
    }
}
