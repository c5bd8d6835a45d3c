package io.txfs.core;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The records and entries a forced publish writes (docs/publish-force.md): the forcing view's version
 * wins for every path it changed, everything else others published since its snapshot stays.
 *
 * <p>Paths are (directory node, name) pairs. They mean the same path in the view and in the published
 * head as long as the directory is where the view's snapshot had it; a directory another view removed
 * or moved away is first made to exist again at the view's path ({@link #target}), and the view's
 * entries and links are translated there. Then, per node, the names are merged three-way (head, minus
 * the names the view removed, plus the names it added) and the content is the view's only if it changed
 * it; per entry, the view's entry wins and whatever head had there loses that name. Directories the view
 * removed or moved away that hold other views' new entries stay, or are recreated, for them.
 *
 * <p>Caller holds the publish lock and the view's write lock; the maps are changed in place.
 */
final class ForceMerge {
    private final Engine e;
    private final View v;
    private final long snap;
    private final long head;
    /** Records to write, by node: starts as the view's pending records. */
    final Map<Long, NodeRecord> recs;
    /** Entries to write: starts as the view's pending entries. */
    final Map<Link, Dent> dents;
    /** The view's own pending records and entries, as committed (never changed here). */
    private final Map<Long, NodeRecord> mine = new HashMap<>();
    private final Map<Link, Dent> mineDents;
    /** Nodes and entries written that were not in the view's delta (they need conflict keys too). */
    final Set<Long> extraNodes = new LinkedHashSet<>();
    final Set<Link> extraLinks = new LinkedHashSet<>();
    /** Where the view's entries under a directory go: the directory, or the one at its path now. */
    private final Map<Long, Long> target = new HashMap<>();
    private final Set<Long> revived = new HashSet<>();
    private final Map<Long, Boolean> keepDone = new HashMap<>();
    /** Files whose content the view changed. */
    private final Set<Long> contentChanged = new HashSet<>();
    /** Directories the view removed that stay where they were: not removed, so no removal key. */
    final Set<Long> keptInPlace = new HashSet<>();
    private final Ctx viewCtx;
    private final Ctx headCtx;

    ForceMerge(Engine e, View v, Map<Long, NodeRecord> recs, Map<Link, Dent> dents) {
        this.e = e;
        this.v = v;
        this.snap = v.snapshot;
        this.head = e.head;
        this.recs = recs;
        this.dents = dents;
        for (var en : recs.entrySet()) mine.put(en.getKey(), en.getValue().copy());
        this.mineDents = new LinkedHashMap<>(dents);
        this.viewCtx = e.readCtx(v);
        this.headCtx = new Ctx(e.published, head);
    }

    void run() {
        // Only what the view adds makes directories exist again: a removal needs nothing where nothing is.
        for (var en : mineDents.entrySet()) if (en.getValue().child() != 0) target(en.getKey().parent());
        for (NodeRecord r : mine.values()) for (Link l : r.links) target(l.parent());
        Map<Long, Set<Link>> toPlace = new LinkedHashMap<>();
        for (var en : mine.entrySet()) {
            long id = en.getKey();
            NodeRecord h = e.publishedNode(id, head);
            if (revived.contains(id)) continue;
            if (h == null) {
                translateLinks(recs.get(id));
                continue;
            }
            NodeRecord m = merge(id, en.getValue(), h);
            recs.put(id, m);
            toPlace.put(id, tr(en.getValue().links)); // the view's names; head's stay as head has them
        }
        translateEntries();
        for (var en : toPlace.entrySet()) {
            NodeRecord m = recs.get(en.getKey());
            for (Link l : en.getValue()) {
                if (m.links.contains(l) && dent(l).child() != en.getKey()) place(l, en.getKey(), m.type);
            }
        }
        for (long id : toPlace.keySet()) clearDroppedNames(id);
        displaceOverwritten();
        for (var en : toPlace.entrySet()) reviveChanged(en.getKey(), en.getValue());
        for (long id : new ArrayList<>(mine.keySet())) keepForOthers(id);
    }

    /**
     * Nodes of the view's delta whose merged record is the head's (names, link count, content): the
     * view's change to them did not take (another view had already done the same, or moved the file
     * away from the name the view removed). They are not written, and their keys are dropped, so that
     * nobody conflicts with a change that was not made.
     */
    Set<Long> unchanged() {
        Set<Long> out = new HashSet<>();
        for (long id : mine.keySet()) {
            NodeRecord h = e.publishedNode(id, head);
            NodeRecord r = recs.get(id);
            if (h == null || r == null || !sameContent(h, r) || h.nlink != r.nlink || !sameLinks(h.links, r.links)) continue;
            if (r.isDir() && r.mtime != h.mtime) continue; // entries added: the directory's times move on
            out.add(id);
        }
        return out;
    }

    // ------------------------------------------------------------ directories at the view's paths

    /** The directory the view's entries under directory p go to (p itself unless others moved or removed it). */
    private long target(long p) {
        if (p == Engine.ROOT) return p;
        Long t = target.get(p);
        if (t != null) return t;
        target.put(p, p); // a cycle (impossible in a tree) ends here
        long r = computeTarget(p);
        target.put(p, r);
        return r;
    }

    private long computeTarget(long p) {
        NodeRecord h = e.publishedNode(p, head);
        NodeRecord seen = e.node(viewCtx, p);
        if (h == null || seen == null || seen.links.isEmpty() || !seen.isDir()) return p; // made or removed by the view
        NodeRecord base = e.publishedNode(p, snap);
        if (base == null || !sameLinks(base.links, seen.links)) return p; // the view placed it: its entries say where
        Link lb = seen.link();
        Link lt = new Link(target(lb.parent()), lb.name());
        Dent at = dent(lt);
        if (at.child() == p && h.nlink > 0) return p;
        if (at.child() != 0 && at.type() == FileType.DIRECTORY) return at.child(); // another view's directory at that path
        if (h.nlink == 0) {
            revive(p, lt);
            return p;
        }
        return newDir(seen, lt);
    }

    /** Another view removed directory p, which the view still writes into: it comes back at the view's path. */
    private void revive(long p, Link at) {
        NodeRecord r = cur(p);
        r.links = new ArrayList<>(List.of(at));
        r.nlink = 1;
        revived.add(p);
        place(at, p, FileType.DIRECTORY);
    }

    /** A directory at the view's path for its entries, when another view moved the one it had away. */
    private long newDir(NodeRecord template, Link at) {
        long id = e.ids.next();
        NodeRecord r = template.copy();
        r.links = new ArrayList<>(List.of(at));
        r.nlink = 1;
        r.bornLayer = v.layer; // new to everyone: its entry announces it
        r.backedDir = false; // nothing in the backing directory to list
        r.setIdentity(null);
        r.baseValid = 0;
        long now = e.clock.nowNanos();
        r.mtime = now;
        r.ctime = now;
        recs.put(id, r);
        place(at, id, FileType.DIRECTORY);
        return id;
    }

    private Link tr(Link l) {
        long t = target(l.parent());
        return t == l.parent() ? l : new Link(t, l.name());
    }

    /**
     * Where a name the view removed is now, without making any directory exist: null when the view's
     * directory of it is gone and nothing is at its path (so the removal has nothing to remove).
     */
    private Link trGone(Link l) {
        long t = existing(l.parent());
        return t == NONE ? null : t == l.parent() ? l : new Link(t, l.name());
    }

    private Set<Link> trGone(List<Link> links) {
        Set<Link> out = new LinkedHashSet<>();
        for (Link l : links) {
            Link t = trGone(l);
            if (t != null) out.add(t);
        }
        return out;
    }

    private static final long NONE = -1;

    /** target(p) without side effects: the directory at the view's path of p, or NONE. */
    private long existing(long p) {
        Long t = p == Engine.ROOT ? Long.valueOf(p) : target.get(p);
        if (t != null) return t;
        NodeRecord h = e.publishedNode(p, head);
        NodeRecord seen = e.node(viewCtx, p);
        if (h == null || seen == null || seen.links.isEmpty() || !seen.isDir()) return p;
        NodeRecord base = e.publishedNode(p, snap);
        if (base == null || !sameLinks(base.links, seen.links)) return p;
        Link lb = seen.link();
        long parent = existing(lb.parent());
        if (parent == NONE) return NONE;
        Dent at = dent(new Link(parent, lb.name()));
        if (at.child() == p && h.nlink > 0) return p;
        return at.child() != 0 && at.type() == FileType.DIRECTORY ? at.child() : NONE;
    }

    private Set<Link> tr(List<Link> links) {
        Set<Link> out = new LinkedHashSet<>();
        for (Link l : links) out.add(tr(l));
        return out;
    }

    private void translateLinks(NodeRecord r) {
        r.links = new ArrayList<>(tr(r.links));
    }

    /** The view's entries under moved directories go to the directories at the view's paths. */
    private void translateEntries() {
        for (var en : mineDents.entrySet()) {
            Link l = en.getKey();
            boolean removal = en.getValue().child() == 0;
            Link t = removal ? trGone(l) : tr(l);
            if (l.equals(t)) continue;
            if (dents.get(l) == en.getValue()) dents.remove(l);
            // a removal where nothing is (no directory at that path, or a recreated one) has nothing to write
            if (t != null && (!removal || e.publishedDent(t.parent(), t.name(), head).child() != 0)) dents.put(t, en.getValue());
        }
    }

    // ------------------------------------------------------------ per node: names and content

    /** The view's record of an existing node over the head's: names merged three-way, content the view's if it changed it. */
    private NodeRecord merge(long id, NodeRecord m, NodeRecord h) {
        NodeRecord base = e.publishedNode(id, snap);
        boolean changed = base == null || !sameContent(base, m);
        NodeRecord r = (changed ? m : h).copy();
        r.atime = Math.max(h.atime, m.atime);
        r.ctime = Math.max(h.ctime, m.ctime);
        if (r.isDir() && !changed) r.mtime = Math.max(h.mtime, m.mtime);
        r.links = new ArrayList<>(h.links);
        r.nlink = h.nlink;
        Set<Link> was = base == null ? Set.of() : trGone(base.links);
        Set<Link> now = tr(m.links);
        // Content follows the file: if another view only renamed it, the view's change is there, and the
        // old name stays free (a name added back would make a hard link nobody made). reviveChanged()
        // brings back a changed file left with no name at all.
        if (changed && !r.isDir()) contentChanged.add(id);
        for (Link l : was) if (!now.contains(l)) unlinkName(r, l);
        if (movedByBoth(was, now, h)) {
            // Both moved the file away from a name: it has one place, the view's (the other's is overridden);
            // keeping both would make a hard link nobody made.
            for (Link l : h.links) if (!was.contains(l)) unlinkName(r, l);
        }
        for (Link l : now) if (!was.contains(l)) linkName(r, l);
        if (r.isDir()) r.nlink = r.links.isEmpty() ? 0 : 1;
        return r;
    }

    /** The view moved the node (dropped a name, added one) and head also lacks a name the view dropped. */
    private static boolean movedByBoth(Set<Link> was, Set<Link> now, NodeRecord h) {
        boolean added = false;
        for (Link l : now) added |= !was.contains(l);
        if (!added) return false;
        for (Link l : was) if (!now.contains(l) && !h.links.contains(l)) return true;
        return false;
    }

    private static void unlinkName(NodeRecord r, Link l) {
        if (r.links.remove(l)) r.nlink = r.isDir() ? 0 : Math.max(0, r.nlink - 1);
    }

    private static void linkName(NodeRecord r, Link l) {
        if (r.links.contains(l)) return;
        r.links.add(l);
        r.nlink = r.isDir() ? 1 : r.nlink + 1;
    }

    /** Everything but names, link count and access/change times: what a reader of the file sees. */
    static boolean sameContent(NodeRecord a, NodeRecord b) {
        boolean times = a.isDir() || a.mtime == b.mtime;
        return a.type == b.type && a.perm == b.perm && a.uid == b.uid && a.gid == b.gid && a.size == b.size
                && a.rdev == b.rdev && times && java.util.Arrays.equals(a.target, b.target)
                && sameXattrs(a, b) && java.util.Arrays.equals(a.chainLayer, b.chainLayer)
                && java.util.Arrays.equals(a.chainValid, b.chainValid) && java.util.Objects.equals(a.identity(), b.identity())
                && a.baseValid == b.baseValid;
    }

    private static boolean sameXattrs(NodeRecord a, NodeRecord b) {
        if (!a.xattrs.keySet().equals(b.xattrs.keySet())) return false;
        for (var en : a.xattrs.entrySet()) if (!java.util.Arrays.equals(en.getValue(), b.xattrs.get(en.getKey()))) return false;
        return true;
    }

    private static boolean sameLinks(List<Link> a, List<Link> b) {
        return new HashSet<>(a).equals(new HashSet<>(b));
    }

    /**
     * A file the view changed that was left without any name (another view removed it, or took the
     * names it had) comes back at the view's names: the view's version of those paths is that file.
     */
    private void reviveChanged(long id, Set<Link> viewNames) {
        NodeRecord r = recs.get(id);
        if (!contentChanged.contains(id) || !r.links.isEmpty()) return;
        for (Link l : viewNames) {
            linkName(r, l);
            place(l, id, r.type);
        }
    }

    /** Names head gave node id that the merge took from it (the view's move won) are written as removed. */
    private void clearDroppedNames(long id) {
        List<Link> kept = recs.get(id).links;
        for (Link l : e.publishedNode(id, head).links) {
            if (!kept.contains(l) && dent(l).child() == id) put(l, Dent.DELETED);
        }
    }

    // ------------------------------------------------------------ per entry: the view's wins

    /** Whatever head had at a name the view set loses that name. */
    private void displaceOverwritten() {
        for (var en : new ArrayList<>(dents.entrySet())) {
            Link l = en.getKey();
            long was = e.publishedDent(l.parent(), l.name(), head).child();
            if (was != 0 && was != en.getValue().child()) displace(was, l);
        }
    }

    private void place(Link l, long id, FileType type) {
        long old = dent(l).child();
        if (old != 0 && old != id) displace(old, l);
        put(l, new Dent(id, type));
    }

    /** Node id no longer has name l; a directory left without a name takes what others put in it along. */
    private void displace(long id, Link l) {
        NodeRecord r = cur(id);
        if (!r.links.remove(l)) return;
        if (!r.isDir()) {
            r.nlink = Math.max(0, r.nlink - 1);
            return;
        }
        r.nlink = r.links.isEmpty() ? 0 : 1;
        if (r.nlink == 0) removeEntries(id);
    }

    private void removeEntries(long dir) {
        NodeRecord r = e.publishedNode(dir, head);
        if (r == null) return;
        e.ensureImported(dir, r);
        for (var en : e.entries(headCtx, dir).entrySet()) {
            Link l = new Link(dir, en.getKey());
            if (mineDents.containsKey(l)) continue;
            put(l, Dent.DELETED);
            displace(en.getValue().child(), l);
        }
    }

    // ------------------------------------------------------------ directories others still use

    /**
     * Directory id, which the view removed or moved away, keeps the entries others added to it since the
     * view's snapshot at its old path: it stays there (removed by the view) or is recreated there (moved).
     * A non-directory the view put at that path wins: those entries go.
     */
    private boolean keepForOthers(long id) {
        Boolean done = keepDone.get(id);
        if (done != null) return done;
        keepDone.put(id, false);
        boolean kept = keepOrRecreate(id);
        keepDone.put(id, kept);
        return kept;
    }

    private boolean keepOrRecreate(long id) {
        NodeRecord m = mine.get(id);
        NodeRecord base = e.publishedNode(id, snap);
        NodeRecord h = e.publishedNode(id, head);
        if (m == null || h == null || base == null || !base.isDir() || revived.contains(id)) return false;
        Set<Link> now = tr(m.links);
        Link gone = null;
        for (Link l : trGone(base.links)) if (!now.contains(l)) gone = l;
        if (gone == null) return false;
        if (!h.links.contains(gone)) {
            // another view moved it as well: what it added inside stays where it put the directory, if
            // the view's move (which wins) took the directory from there
            gone = null;
            for (Link l : h.links) if (!recs.get(id).links.contains(l)) gone = l;
            if (gone == null) return false;
        }
        if (!changedSinceSnapshot(id)) return false;
        long at = dent(gone).child();
        if (at != 0 && at != id && cur(at).type != FileType.DIRECTORY) {
            // the view put a file where the directory was: its version of that path wins over others' entries
            for (var en : foreignEntries(id).entrySet()) {
                Link l = new Link(id, en.getKey());
                put(l, Dent.DELETED);
                displace(en.getValue().child(), l);
            }
            return false;
        }
        NodeRecord r = recs.get(id);
        if (r.nlink == 0 && (at == 0 || at == id)) {
            if (foreignEntries(id).isEmpty()) return false;
            r.links = new ArrayList<>(List.of(gone));
            r.nlink = 1;
            put(gone, new Dent(id, FileType.DIRECTORY));
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
            moveEntry(new Link(dir, en.getKey()), new Link(target, en.getKey()), en.getValue());
            moved = true;
        }
        for (var en : e.entries(headCtx, dir).entrySet()) {
            long c = en.getValue().child();
            Link l = new Link(dir, en.getKey());
            if (en.getValue().type() != FileType.DIRECTORY || mineDents.containsKey(l)) continue;
            if (e.publishedDent(dir, en.getKey(), snap).child() != c) continue; // others' own: moved whole above
            NodeRecord seen = e.node(viewCtx, c);
            NodeRecord base = e.publishedNode(c, snap);
            if (seen == null || base == null || !sameLinks(base.links, seen.links)) continue; // the view moved it itself
            moved |= relocate(c, new LazyDir(into, new Link(0, en.getKey()), base));
        }
        return moved;
    }

    /** Whether others changed anything below dir since the snapshot (subtree marks; unknown counts as yes). */
    private boolean changedSinceSnapshot(long dir) {
        long at = e.subtreeChangedAt(dir, head);
        return at < 0 || at > snap;
    }

    /** A directory at a path, found or made when an entry first needs it; NONE when a non-directory is there. */
    private final class LazyDir {
        private final LazyDir parent;
        private final Link at;
        private final NodeRecord template;
        private long id;

        LazyDir(LazyDir parent, Link at, NodeRecord template) {
            this.parent = parent;
            this.at = at;
            this.template = template;
        }

        long id() {
            if (id != 0) return id;
            long p = parent == null ? at.parent() : parent.id();
            if (p == NONE) return id = NONE;
            Link l = new Link(p, at.name());
            Dent there = dent(l);
            if (there.child() == 0) id = newDir(template, l);
            else id = there.type() == FileType.DIRECTORY ? there.child() : NONE;
            return id;
        }
    }

    /**
     * Live entries of dir at head that others added or replaced since the snapshot and the view left
     * alone, and subdirectories the view removed that stay for the same reason (rm -r over others' files).
     */
    private Map<byte[], Dent> foreignEntries(long dir) {
        Map<byte[], Dent> out = new java.util.TreeMap<>(java.util.Arrays::compareUnsigned);
        e.ensureImported(dir, e.publishedNode(dir, head));
        for (var en : e.entries(headCtx, dir).entrySet()) {
            Link l = new Link(dir, en.getKey());
            long child = en.getValue().child();
            boolean sinceSnapshot = e.publishedDent(dir, en.getKey(), snap).child() != child;
            Dent viewDent = mineDents.get(l);
            if (viewDent == null ? sinceSnapshot : viewDent.child() == 0 && !sinceSnapshot && mine.containsKey(child)
                    && keepForOthers(child)) {
                out.put(en.getKey(), en.getValue());
            }
        }
        return out;
    }

    private void moveEntry(Link from, Link to, Dent d) {
        NodeRecord c = cur(d.child());
        int i = c.links.indexOf(from);
        if (i >= 0) c.links.set(i, to);
        put(from, Dent.DELETED);
        if (dents.containsKey(to) && dents.get(to).child() != d.child()) {
            displace(d.child(), to); // the view's own entry at that path wins
            return;
        }
        place(to, d.child(), d.type());
    }

    // ------------------------------------------------------------ state being built

    /** The entry at l as it will be written: this merge's, else the head's. */
    private Dent dent(Link l) {
        Dent d = dents.get(l);
        return d != null ? d : e.publishedDent(l.parent(), l.name(), head);
    }

    private void put(Link l, Dent d) {
        if (!mineDents.containsKey(l)) extraLinks.add(l);
        dents.put(l, d);
    }

    /** The record of id as it will be written (a copy of the head's when the view has none). */
    private NodeRecord cur(long id) {
        NodeRecord r = recs.get(id);
        if (r != null) return r;
        r = e.publishedNode(id, head);
        if (r == null) throw new IllegalStateException("no node " + id + " at version " + head);
        r = r.copy();
        recs.put(id, r);
        extraNodes.add(id);
        return r;
    }
}
