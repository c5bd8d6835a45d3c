package io.txfs.core.flush;

import io.txfs.core.backing.Backing;
import io.txfs.core.backing.BackingDir;
import io.txfs.core.backing.BackingMeta;
import io.txfs.core.backing.BackingSymlinkException;
import io.txfs.core.format.EntryName;
import io.txfs.core.format.NodeRecord;
import io.txfs.core.model.ChangeSet;
import io.txfs.core.model.EngineConstants;
import io.txfs.core.model.FaultPoint;
import io.txfs.core.model.FileType;
import io.txfs.core.model.FlushRefusedException;
import io.txfs.core.progress.LongWork;
import io.txfs.core.tree.EngineParts;
import io.txfs.core.tree.EngineState;
import io.txfs.core.tree.LayeredTree;
import io.txfs.core.tree.PublishedVersions;
import io.txfs.core.tree.ViewOperation;
import io.txfs.sys.LibC;
import io.txfs.sys.PathCalls;
import io.txfs.sys.RawPaths;
import io.txfs.sys.Sys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One flush from the flushed version to head, up to its committed plan (docs/recovery.md, step 1): the
 * changes found, old content preserved, new objects staged in ROOT/.txfs.flush and metadata rehearsed,
 * the redo plan built. Runs under the publish lock only; Flusher commits and applies the plan.
 */
final class FlushPreparation {
    private static final Logger log = LoggerFactory.getLogger(FlushPreparation.class);

    private final EngineState state;
    private final PublishedVersions versions;
    private final LayeredTree tree;
    private final BackingMeta meta;
    private final FlushWriter writer;
    private final SnapshotPreservation preservation;
    private final LongWork work;
    private final long head;
    private final long flushed;
    private final ViewOperation now;
    private final ViewOperation old;
    private final ChangeSet changed;
    private final FlushPlan plan = new FlushPlan();
    /** The root's lstat before the staging area was made: a refused flush sets its times back. */
    private Map<String, Object> rootBefore;

    // names that changed
    private final List<Move> moves = new ArrayList<>();
    private final Map<Long, List<String>> placeNodes = new LinkedHashMap<>();
    private final Set<String> placePaths = new HashSet<>();
    private final Set<String> dirsToSync = new TreeSet<>();
    private final Map<Long, Move> movedOut = new HashMap<>();
    // Existing files whose content changed are patched in place (keeps hard links and inode numbers).
    private final List<FlushPlan.Step> patches = new ArrayList<>();
    private final List<Long> rewrites = new ArrayList<>();
    private final Set<Long> preserveCandidates = new LinkedHashSet<>();
    /** Content patched in place: only the chunks the patch overwrites need keeping for old readers. */
    private final Map<Long, Set<Long>> overwritten = new HashMap<>();

    private final Set<Long> preserved = new HashSet<>();
    // staging and rehearsal
    private long bytes;
    private final List<FlushRefusedException.Problem> problems = new ArrayList<>();
    private final Map<String, List<String>> verified = new HashMap<>();
    private final Map<Long, String> stagedName = new HashMap<>();
    private final Map<Long, Long> stagedIno = new HashMap<>();
    private final List<FlushPlan.Step> replaces = new ArrayList<>();
    private final Set<Long> metaNodes = new LinkedHashSet<>();

    FlushPreparation(
            EngineParts parts,
            BackingMeta meta,
            FlushWriter writer,
            SnapshotPreservation preservation,
            LongWork work,
            long head,
            long flushed) {
        this.state = parts.state();
        this.versions = parts.versions();
        this.tree = parts.tree();
        this.meta = meta;
        this.writer = writer;
        this.preservation = preservation;
        this.work = work;
        this.head = head;
        this.flushed = flushed;
        this.now = new ViewOperation(state.published, head);
        this.old = new ViewOperation(state.published, flushed);
        this.changed = versions.changesBetween(flushed, head);
    }

    /**
     * Everything the flush changes in BACKING, found and rehearsed before anything there changes: staged
     * new objects, old content preserved, the redo plan built. Refuses (FlushRefusedException) with BACKING
     * as it was when the backing filesystem would not keep something.
     */
    FlushPlan prepare() throws IOException {
        writer.deleteTree(EngineConstants.STAGING);
        rootBefore = Backing.lstat(state.backing.root);
        try (BackingDir.Entry st = writer.entry(EngineConstants.STAGING)) {
            Files.createDirectory(st.path);
        }
        plan.head = head;
        plan.version = head + 1;
        findNameChanges();
        findContentChanges();
        for (long id : preserveCandidates) {
            preservation.verifyUnchanged(old, id);
            if (preservation.snapshotsNeedOld(head) || preservation.pendingRefers(id))
                preservation.preserve(old, id, preserved, overwritten.get(id));
        }
        stageAndRehearse();
        refuseIfProblems();
        writer.fsyncDir(EngineConstants.STAGING);
        planSteps();
        // a directory on a path of the plan swapped for a symlink is found now, while refusing still
        // leaves BACKING as it was (one swapped later stops the plan at that step, see stopped())
        for (String bad : symlinkedDirs(plan))
            problems.add(new FlushRefusedException.Problem(
                    "/" + Backing.display(bad), new BackingSymlinkException(bad).getMessage()));
        refuseIfProblems();
        return plan;
    }

    /**
     * Under every view's write lock, just before the plan is committed: views may have copied a file up
     * while the flush staged, so what they now need is preserved too.
     */
    void preserveLate() throws IOException {
        for (long id : preserveCandidates) {
            if (!preserved.contains(id) && (preservation.snapshotsNeedOld(head) || preservation.pendingRefers(id))) {
                preservation.preserve(old, id, preserved, overwritten.get(id));
            }
        }
    }

    /** Names that changed between the flushed version and head: moved out, placed, directories to sync. */
    private void findNameChanges() {
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
        for (Move m : moves) movedOut.putIfAbsent(m.node(), m);
    }

    /** Files whose content changed: patched in place, or rewritten whole; what old content may need keeping. */
    private void findContentChanges() {
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
                overwritten.put(id, writer.overwrittenChunks(id, r, r0.identity()));
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
    }

    /**
     * Stages every object that is new in the backing directory, with all its metadata, and rehearses the
     * metadata of existing objects on stand-ins: whatever the backing filesystem refuses is found here,
     * before the plan is committed, while the backing directory is still the flushed state.
     */
    private void stageAndRehearse() throws IOException {
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
        metaNodes.addAll(changed.inodes());
        metaNodes.addAll(placeNodes.keySet());
        for (long id : metaNodes) {
            if (!stagedName.containsKey(id) && !rewrites.contains(id)) rehearse(old, now, id, problems, verified);
        }
    }

    /** The redo plan's steps in the order apply runs them (docs/recovery.md). */
    private void planSteps() throws IOException {
        plan.steps.addAll(patches);
        moves.sort(Comparator.comparingInt(Move::depth).reversed());
        for (Move m : moves)
            plan.steps.add(new FlushPlan.Step(FlushPlan.Kind.MOVE_OUT, m.node(), m.path(), m.staging(), m.ino()));
        List<FlushPlan.Step> places = new ArrayList<>();
        List<FlushPlan.Step> links = new ArrayList<>();
        for (var en : placeNodes.entrySet()) {
            long id = en.getKey();
            List<String> paths = new ArrayList<>(en.getValue());
            paths.sort(Comparator.comparingInt(FlushPreparation::depth).thenComparing(Comparator.naturalOrder()));
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
            if (r == null || (r.nlink == 0 && id != EngineConstants.ROOT)) continue;
            String p = tree.rawPathOf(now, id);
            if (p == null) continue;
            metas.add(new FlushPlan.Step(FlushPlan.Kind.META, id, p, "", r.isDir() ? 1 : 0));
        }
        metas.sort(Comparator.comparingLong((FlushPlan.Step s) -> s.ino()).thenComparing(s -> -depth(s.path())));
        // cleanup first: removing the staging directory changes the root's times, which the root's
        // metadata step then sets back (it runs in every flush, changed or not)
        plan.steps.add(new FlushPlan.Step(FlushPlan.Kind.CLEANUP, 0, EngineConstants.STAGING, "", 0));
        plan.steps.addAll(metas);
        plan.identify.addAll(metas);
        if (!metaNodes.contains(EngineConstants.ROOT))
            plan.steps.add(new FlushPlan.Step(FlushPlan.Kind.META, EngineConstants.ROOT, "", "", 1));
        for (FlushPlan.Step s : patches) dirsToSync.add(parentOf(s.path()));
        for (String d : dirsToSync) plan.steps.add(new FlushPlan.Step(FlushPlan.Kind.FSYNC_DIR, 0, d, "", 0));
        for (FlushPlan.Step s : patches) {
            NodeRecord r = versions.node(s.node(), head);
            bytes += r.size;
        }
        plan.bytes = bytes;
    }

    private record Move(String path, long node, long ino, String staging, int depth) {}

    /** Refuses the flush if anything is in problems: nothing of BACKING changed (the staging area goes). */
    private void refuseIfProblems() throws IOException {
        if (problems.isEmpty()) return;
        writer.deleteTree(EngineConstants.STAGING);
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
        try (BackingDir.Entry en = writer.entry(FlushWriter.STAGED + name)) {
            long bytes = writer.stage(id, r, en);
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
        if (r == null || r0 == null || (r.nlink == 0 && id != EngineConstants.ROOT) || tree.rawPathOf(now, id) == null)
            return;
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
        try (BackingDir.Entry en = writer.entry(FlushWriter.STAGED + "p" + id)) {
            try {
                writer.standIn(r, en);
                meta.apply(r, en, Set.of());
                List<String> lost = meta.differences(r, en);
                verified.put(sig, lost);
                if (!lost.isEmpty()) problems.add(problem(now, id, String.join(", ", lost)));
            } catch (IOException ex) {
                // a refused call: remembered too, so every node of this signature is named with the reason
                verified.put(sig, List.of(ex.getMessage()));
                problems.add(problem(now, id, ex.getMessage()));
            } finally {
                if (FlushWriter.inoOf(en.path) != null) {
                    Files.delete(en.path);
                    writer.forget(FlushWriter.STAGED + "p" + id);
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

    private boolean inBacking(ViewOperation old, long id) {
        NodeRecord r0 = versions.node(id, old.snap);
        return r0 != null
                && r0.hasBase
                && tree.rawPathOf(old, id) != null
                && (r0.nlink > 0 || id == EngineConstants.ROOT);
    }

    private String dirPath(ViewOperation c, long dir) {
        NodeRecord r = tree.node(c, dir);
        if (r == null || !r.isDir() || (r.nlink == 0 && dir != EngineConstants.ROOT)) return null;
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
}
