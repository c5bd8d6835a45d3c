package io.txfs.core.publish;

import io.txfs.core.format.EntryName;
import io.txfs.core.format.EntryValue;
import io.txfs.core.format.NodeRecord;
import io.txfs.core.model.EngineConstants;
import io.txfs.core.model.FileType;
import io.txfs.core.tree.BackingImport;
import io.txfs.core.tree.EngineState;
import io.txfs.core.tree.LayeredTree;
import io.txfs.core.tree.PublishedVersions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The directories of a forced publish (docs/publish-force.md, rules 3 and 4): where the view's entries
 * under a directory go when others moved or removed it (the directory at the view's path: the same one,
 * another view's, revived or new), and which directories the view removed or moved away stay or are
 * recreated for entries others added inside them.
 */
final class ForceDirs {
    static final long NONE = -1;
    private final ForceState s;
    private final EngineState state;
    private final PublishedVersions versions;
    private final LayeredTree tree;
    private final BackingImport imports;
    private final long snap;
    private final long head;
    /** Where the view's entries under a directory go: the directory, or the one at its path now. */
    private final Map<Long, Long> target = new HashMap<>();

    private final Set<Long> revived = new HashSet<>();
    private final Map<Long, Boolean> keepDone = new HashMap<>();
    /** Directories the view removed that stay where they were: not removed, so no removal key. */
    final Set<Long> keptInPlace = new HashSet<>();

    ForceDirs(ForceState s) {
        this.s = s;
        this.state = s.parts.state();
        this.versions = s.parts.versions();
        this.tree = s.parts.tree();
        this.imports = s.parts.imports();
        this.snap = s.snap;
        this.head = s.head;
    }

    /** Whether directory id was revived for the view's entries (its record is set). */
    boolean revived(long id) {
        return revived.contains(id);
    }

    /** The directory the view's entries under directory p go to (p itself unless others moved or removed it). */
    long target(long p) {
        if (p == EngineConstants.ROOT) return p;
        Long t = target.get(p);
        if (t != null) return t;
        target.put(p, p); // a cycle (impossible in a tree) ends here
        long r = computeTarget(p);
        target.put(p, r);
        return r;
    }

    private long computeTarget(long p) {
        NodeRecord h = versions.node(p, head);
        NodeRecord seen = tree.node(s.viewCtx, p);
        if (h == null || seen == null || seen.links.isEmpty() || !seen.isDir()) return p; // made or removed by the view
        NodeRecord base = versions.node(p, snap);
        if (base == null || !ForceState.sameLinks(base.links, seen.links))
            return p; // the view placed it: its entries say where
        EntryName lb = seen.link();
        EntryName lt = new EntryName(target(lb.parent()), lb.name());
        EntryValue at = s.dent(lt);
        if (at.child() == p && h.nlink > 0) return p;
        if (at.child() != 0 && at.type() == FileType.DIRECTORY)
            return at.child(); // another view's directory at that path
        if (h.nlink == 0) {
            revive(p, lt);
            return p;
        }
        return newDir(seen, lt);
    }

    /** Another view removed directory p, which the view still writes into: it comes back at the view's path. */
    private void revive(long p, EntryName at) {
        NodeRecord r = s.cur(p);
        r.links = new ArrayList<>(List.of(at));
        r.nlink = 1;
        revived.add(p);
        s.place(at, p, FileType.DIRECTORY);
    }

    /** A directory at the view's path for its entries, when another view moved the one it had away. */
    private long newDir(NodeRecord template, EntryName at) {
        long id = state.ids.next();
        NodeRecord r = template.copy();
        r.links = new ArrayList<>(List.of(at));
        r.nlink = 1;
        r.bornLayer = s.v.layer; // new to everyone: its entry announces it
        r.backedDir = false; // nothing in the backing directory to list
        r.setIdentity(null);
        r.baseValid = 0;
        long now = state.clock.nowNanos();
        r.mtime = now;
        r.ctime = now;
        s.recs.put(id, r);
        s.place(at, id, FileType.DIRECTORY);
        return id;
    }

    EntryName tr(EntryName l) {
        long t = target(l.parent());
        return t == l.parent() ? l : new EntryName(t, l.name());
    }

    Set<EntryName> tr(List<EntryName> links) {
        Set<EntryName> out = new LinkedHashSet<>();
        for (EntryName l : links) out.add(tr(l));
        return out;
    }

    /**
     * Where a name the view removed is now, without making any directory exist: null when the view's
     * directory of it is gone and nothing is at its path (so the removal has nothing to remove).
     */
    EntryName trGone(EntryName l) {
        long t = existing(l.parent());
        return t == NONE ? null : t == l.parent() ? l : new EntryName(t, l.name());
    }

    Set<EntryName> trGone(List<EntryName> links) {
        Set<EntryName> out = new LinkedHashSet<>();
        for (EntryName l : links) {
            EntryName t = trGone(l);
            if (t != null) out.add(t);
        }
        return out;
    }

    /** target(p) without side effects: the directory at the view's path of p, or NONE. */
    long existing(long p) {
        Long t = p == EngineConstants.ROOT ? Long.valueOf(p) : target.get(p);
        if (t != null) return t;
        NodeRecord h = versions.node(p, head);
        NodeRecord seen = tree.node(s.viewCtx, p);
        if (h == null || seen == null || seen.links.isEmpty() || !seen.isDir()) return p;
        NodeRecord base = versions.node(p, snap);
        if (base == null || !ForceState.sameLinks(base.links, seen.links)) return p;
        EntryName lb = seen.link();
        long parent = existing(lb.parent());
        if (parent == NONE) return NONE;
        EntryValue at = s.dent(new EntryName(parent, lb.name()));
        if (at.child() == p && h.nlink > 0) return p;
        return at.child() != 0 && at.type() == FileType.DIRECTORY ? at.child() : NONE;
    }

    /**
     * Directory id, which the view removed or moved away, keeps the entries others added to it since the
     * view's snapshot at its old path: it stays there (removed by the view) or is recreated there (moved).
     * A non-directory the view put at that path wins: those entries go.
     */
    boolean keepForOthers(long id) {
        Boolean done = keepDone.get(id);
        if (done != null) return done;
        keepDone.put(id, false);
        boolean kept = keepOrRecreate(id);
        keepDone.put(id, kept);
        return kept;
    }

    private boolean keepOrRecreate(long id) {
        NodeRecord m = s.mine.get(id);
        NodeRecord base = versions.node(id, snap);
        NodeRecord h = versions.node(id, head);
        if (m == null || h == null || base == null || !base.isDir() || revived.contains(id)) return false;
        Set<EntryName> now = tr(m.links);
        EntryName gone = null;
        for (EntryName l : trGone(base.links)) if (!now.contains(l)) gone = l;
        if (gone == null) return false;
        if (!h.links.contains(gone)) {
            // another view moved it as well: what it added inside stays where it put the directory, if
            // the view's move (which wins) took the directory from there
            gone = null;
            for (EntryName l : h.links) if (!s.recs.get(id).links.contains(l)) gone = l;
            if (gone == null) return false;
        }
        if (!changedSinceSnapshot(id)) return false;
        long at = s.dent(gone).child();
        if (at != 0 && at != id && s.cur(at).type != FileType.DIRECTORY) {
            // the view put a file where the directory was: its version of that path wins over others' entries
            for (var en : foreignEntries(id).entrySet()) {
                EntryName l = new EntryName(id, en.getKey());
                s.put(l, EntryValue.DELETED);
                s.displace(en.getValue().child(), l);
            }
            return false;
        }
        NodeRecord r = s.recs.get(id);
        if (r.nlink == 0 && (at == 0 || at == id)) {
            if (foreignEntries(id).isEmpty()) return false;
            r.links = new ArrayList<>(List.of(gone));
            r.nlink = 1;
            s.put(gone, new EntryValue(id, FileType.DIRECTORY));
            keptInPlace.add(id);
            return true;
        }
        return relocate(id, new LazyDir(null, gone, base));
    }

    /**
     * Moves the entries others added under dir since the snapshot, at any depth below subdirectories
     * that went along with it, to the same relative paths under into (made when first needed).
     */
    private boolean relocate(long dir, LazyDir into) {
        if (!changedSinceSnapshot(dir)) return false;
        boolean moved = false;
        for (var en : foreignEntries(dir).entrySet()) {
            long target = into.id();
            if (target == NONE) return moved;
            moveEntry(new EntryName(dir, en.getKey()), new EntryName(target, en.getKey()), en.getValue());
            moved = true;
        }
        for (var en : tree.entries(s.headCtx, dir).entrySet()) {
            long c = en.getValue().child();
            EntryName l = new EntryName(dir, en.getKey());
            if (en.getValue().type() != FileType.DIRECTORY || s.mineDents.containsKey(l)) continue;
            if (versions.dent(dir, en.getKey(), snap).child() != c) continue; // others' own: moved whole above
            NodeRecord seen = tree.node(s.viewCtx, c);
            NodeRecord base = versions.node(c, snap);
            if (seen == null || base == null || !ForceState.sameLinks(base.links, seen.links))
                continue; // the view moved it itself
            moved |= relocate(c, new LazyDir(into, new EntryName(0, en.getKey()), base));
        }
        return moved;
    }

    /** Whether others changed anything below dir since the snapshot (subtree marks; unknown counts as yes). */
    private boolean changedSinceSnapshot(long dir) {
        long at = versions.subtreeChangedAt(dir, head);
        return at < 0 || at > snap;
    }

    /** A directory at a path, found or made when an entry first needs it; NONE when a non-directory is there. */
    private final class LazyDir {
        private final LazyDir parent;
        private final EntryName at;
        private final NodeRecord template;
        private long id;

        LazyDir(LazyDir parent, EntryName at, NodeRecord template) {
            this.parent = parent;
            this.at = at;
            this.template = template;
        }

        long id() {
            if (id != 0) return id;
            long p = parent == null ? at.parent() : parent.id();
            if (p == NONE) return id = NONE;
            EntryName l = new EntryName(p, at.name());
            EntryValue there = s.dent(l);
            if (there.child() == 0) return id = newDir(template, l);
            if (there.type() != FileType.DIRECTORY) return id = NONE;
            // a directory the view moved here may itself leave entries others added to it behind (rule 4):
            // they go first, so that the names they free are free for what comes in, whatever the order
            keepForOthers(there.child());
            return id = there.child();
        }
    }

    /**
     * Live entries of dir at head that others added or replaced since the snapshot and the view left
     * alone, and subdirectories the view removed that stay for the same reason (rm -r over others' files).
     */
    private Map<byte[], EntryValue> foreignEntries(long dir) {
        Map<byte[], EntryValue> out = new TreeMap<>(Arrays::compareUnsigned);
        imports.ensureImported(dir, versions.node(dir, head));
        for (var en : tree.entries(s.headCtx, dir).entrySet()) {
            EntryName l = new EntryName(dir, en.getKey());
            long child = en.getValue().child();
            boolean sinceSnapshot = versions.dent(dir, en.getKey(), snap).child() != child;
            EntryValue viewDent = s.mineDents.get(l);
            if (viewDent == null
                    ? sinceSnapshot
                    : viewDent.child() == 0 && !sinceSnapshot && s.mine.containsKey(child) && keepForOthers(child)) {
                out.put(en.getKey(), en.getValue());
            }
        }
        return out;
    }

    private void moveEntry(EntryName from, EntryName to, EntryValue d) {
        NodeRecord c = s.cur(d.child());
        int i = c.links.indexOf(from);
        if (i >= 0) c.links.set(i, to);
        s.put(from, EntryValue.DELETED);
        // What that path will hold wins: the view's entry (a removal too), or a node that stays there (taking
        // its name would leave it listing a name it no longer has). A name this merge freed is free.
        EntryValue there = s.dent(to);
        boolean viewRemoved = there.child() == 0 && s.dents.containsKey(to) && !s.extraLinks.contains(to);
        if (viewRemoved || there.child() != 0 && there.child() != d.child()) {
            s.displace(d.child(), to);
            return;
        }
        s.place(to, d.child(), d.type());
    }
}
