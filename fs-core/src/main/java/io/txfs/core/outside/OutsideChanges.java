package io.txfs.core.outside;

import io.txfs.core.backing.Backing;
import io.txfs.core.backing.BackingDir;
import io.txfs.core.format.EntryName;
import io.txfs.core.format.NodeRecord;
import io.txfs.core.model.BackingGoneException;
import io.txfs.core.model.ChangeSet;
import io.txfs.core.model.EngineConstants;
import io.txfs.core.model.Identity;
import io.txfs.core.model.Isolation;
import io.txfs.core.model.RescanResult;
import io.txfs.core.store.Bytes;
import io.txfs.core.store.ColumnFamily;
import io.txfs.core.store.KvIterator;
import io.txfs.core.tree.BackingImport;
import io.txfs.core.tree.EngineParts;
import io.txfs.core.tree.EngineState;
import io.txfs.core.tree.LayeredTree;
import io.txfs.core.tree.PublishedVersions;
import io.txfs.core.tree.View;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Changes made to the backing directory behind the daemon's back (docs/outside-changes.md): found by
 * comparing the disk with the records of the flushed version (quick stat checks on lookup, open and
 * readdir, a failed base read, or a full {@link #rescan}), and taken in as one published version written
 * by the engine itself, as if an "outside" writer had published what BACKING now holds. Views see it like
 * any other publish, and a view that changed the same paths conflicts at its publish.
 */
public final class OutsideChanges {
    private static final Logger log = LoggerFactory.getLogger(OutsideChanges.class);
    static final String WRITER = "@outside";

    private final EngineParts parts;
    private final EngineState state;

    /** Tells the version hook of a version this class published (Engine#versionHookPublished). */
    private final LongConsumer versionPublished;

    private final PublishedVersions versions;

    private final LayeredTree tree;

    private final BackingImport imports;
    /** A directory's disk identity when its listing was last found equal to its entries (it then need not be listed again). */
    private final Map<Long, Identity> verifiedDirs = new ConcurrentHashMap<>();
    /** Why the backing directory is unusable (deleted, moved), or null while it is there. */
    private volatile String gone;
    /** The path BACKING was mounted from, to notice it being moved away (the engine reads it through a handle). */
    private volatile Path watched;

    public OutsideChanges(EngineParts parts, LongConsumer published) {
        this.parts = parts;
        this.versionPublished = published;
        this.state = parts.state();
        this.versions = parts.versions();
        this.tree = parts.tree();
        this.imports = parts.imports();
    }

    public void watch(Path original) {
        this.watched = original;
    }

    /** Why the backing directory cannot be served, or null; looks again (two lstats) while it seems fine. */
    public String gone() {
        if (gone == null) {
            try {
                checkRoot();
            } catch (BackingGoneException noticedNow) {
                // recorded in gone
            }
        }
        return gone;
    }

    public void requireBacking() {
        String g = gone;
        if (g != null) throw new BackingGoneException(g);
    }

    // ---------------------------------------------------------------- quick checks (no locks)
    // Skipped while a flush runs: it changes the files it flushes (and the root's mtime, with its staging
    // area) before its completion records them, and a lookup must not wait for the whole flush. A real
    // outside change is then found at the next access, or by the read that meets it.

    /**
     * One lstat of node id's backing file against the flushed record; on a difference, takes in the
     * directories that name it. True if a change was taken in (the caller then looks again).
     */
    public boolean checkFile(long id) {
        if (gone != null || state.flushRunning()) return false;
        NodeRecord r = versions.node(id, state.flushed());
        if (r == null || !r.hasBase) return false;
        if (r.isDir()) return checkDir(id);
        String rel = imports.backingPath(id);
        if (rel == null) return false;
        Identity disk = diskIdentity(rel);
        if (disk != null && r.identity().matchesDisk(disk)) return false;
        return takeIn(parentsOf(r), Mode.INSIDE_REQUEST).tookIn();
    }

    /**
     * One lstat of an imported directory: when it differs from the last one whose listing matched, the
     * listing is compared (and any difference taken in). Directories not yet imported are listed fresh
     * when first used, so they need no check.
     */
    public boolean checkDir(long dir) {
        if (gone != null || state.flushRunning()) return false;
        if (dir == EngineConstants.ROOT)
            checkRoot(); // a listing of the root is where a deleted or moved BACKING shows first
        NodeRecord r = versions.node(dir, state.flushed());
        if (r == null || !r.isDir() || !r.backedDir || !r.hasBase) return false;
        // the in-memory set: a negative lookup (a compiler's probe) must not cost a store read more
        if (!imports.isImported(dir)) return false;
        String rel = imports.backingPath(dir);
        if (rel == null) return false;
        Identity disk = diskIdentity(rel);
        Identity known = verifiedDirs.getOrDefault(dir, r.identity());
        if (disk != null && known.matchesDisk(disk)) return false;
        Set<Long> dirs = new LinkedHashSet<>();
        dirs.add(dir);
        if (disk == null) dirs.addAll(parentsOf(r)); // the directory itself went: its parent shows it
        return takeIn(dirs, Mode.INSIDE_REQUEST).tookIn();
    }

    /** After a base read found node id's file changed: take in the directories that name it. */
    public void nodeChanged(long id) {
        NodeRecord r = versions.node(id, state.flushed());
        if (r != null) takeIn(parentsOf(r), Mode.INSIDE_REQUEST);
        else checkRoot();
    }

    /** Compares every imported directory with the disk and takes in every difference. */
    public RescanResult rescan() {
        List<Long> dirs = new ArrayList<>();
        try (KvIterator it = state.store.scan(ColumnFamily.IMPORTED, new byte[0])) {
            for (; it.valid(); it.next()) dirs.add(Bytes.getLong(it.key(), 0));
        }
        return takeIn(dirs, Mode.RESCAN);
    }

    private static Set<Long> parentsOf(NodeRecord r) {
        Set<Long> out = new LinkedHashSet<>();
        for (EntryName l : r.links) out.add(l.parent());
        if (out.isEmpty()) out.add(EngineConstants.ROOT);
        return out;
    }

    private Identity diskIdentity(String rel) {
        try {
            try (BackingDir.Entry en = state.backing.entry(rel)) {
                return Backing.identity(Backing.lstat(en.path));
            }
        } catch (IOException gone) {
            return null;
        }
    }

    /** Notices a deleted or moved-away backing directory; after that every operation fails (BackingGoneException). */
    void checkRoot() {
        if (gone != null) throw new BackingGoneException(gone);
        String why = null;
        Map<String, Object> a = null;
        try {
            a = Backing.lstat(state.backing.root);
            if ((Integer) a.get("nlink") == 0) why = "was deleted while mounted";
        } catch (NoSuchFileException ex) {
            why = "was deleted or moved away while mounted";
        } catch (IOException ex) {
            why = "is no longer reachable (" + ex + ")";
        }
        Path w = watched;
        if (why == null && w != null) {
            try {
                Map<String, Object> b = Backing.lstat(w);
                if (!a.get("dev").equals(b.get("dev")) || !a.get("ino").equals(b.get("ino"))) {
                    why = w + " was moved away while mounted (another directory is there now)";
                }
            } catch (IOException ex) {
                why = w + " was moved away or deleted while mounted";
            }
        }
        if (why == null) return;
        synchronized (this) {
            if (gone == null) {
                gone = why;
                log.error(
                        "the backing directory {}: every operation on the mount now fails with ESTALE;"
                                + " pending and published changes stay in the state directory",
                        why);
            }
        }
        throw new BackingGoneException(gone);
    }

    // ---------------------------------------------------------------- the take-in

    /** Who asked for a take-in, which decides how the kernel is told. */
    private enum Mode {
        /** From inside a filesystem request (a check, a read, a flush): invalidations are queued, not waited for. */
        INSIDE_REQUEST,
        /** txfs rescan: waits for the kernel to take the invalidations, like a publish. */
        RESCAN
    }

    /**
     * Compares the listings of dirs (and the files they name) with the flushed records and writes every
     * difference as one published version. Holds the publish lock and every view's write lock, like the
     * switch of a flush: the batch may amend version {@code flushed}, which readers must not see half done.
     */
    private RescanResult takeIn(Collection<Long> dirs, Mode mode) {
        RescanResult result;
        ChangeSet visible;
        List<String> readCommitted = new ArrayList<>();
        List<View> all = new ArrayList<>(state.views.values());
        all.add(state.published);
        all.sort(Comparator.comparingLong(v -> v.id));
        state.publishLock.lock();
        for (View v : all) v.lock.writeLock().lock();
        try {
            state.checkOpen();
            checkRoot();
            OutsideTakeIn t;
            synchronized (imports.lock) {
                t = new OutsideTakeIn(parts, verifiedDirs, state.head(), state.flushed());
                for (long d : dirs) t.queue.add(d);
                t.compareAll();
                if (t.nothing()) {
                    t.rememberVerified();
                    return new RescanResult(0, t.checked, List.of(), List.of(), List.of(), List.of());
                }
                visible = t.write();
            }
            result = t.result();
            for (View v : state.views.values()) if (v.isolation == Isolation.READ_COMMITTED) readCommitted.add(v.name);
            readCommitted.add(EngineConstants.PUBLISHED_VIEW);
        } finally {
            for (View v : all) v.lock.writeLock().unlock();
            state.publishLock.unlock();
        }
        // told after the locks are released: a reader thread that found the change must not wait on the kernel
        for (String v : readCommitted) {
            if (mode == Mode.RESCAN) state.listener.visibleChange(v, visible);
            else state.listener.visibleChangeLater(v, visible);
        }
        versionPublished.accept(result.version());
        return result;
    }
}
