package io.txfs.core.publish;

import io.txfs.core.format.EntryName;
import io.txfs.core.format.EntryValue;
import io.txfs.core.format.NodeRecord;
import io.txfs.core.tree.EngineParts;
import io.txfs.core.tree.PublishedVersions;
import io.txfs.core.tree.View;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The records and entries a forced publish writes (docs/publish-force.md): the forcing view's version
 * wins for every path it changed, everything else others published since its snapshot stays.
 *
 * <p>Paths are (directory node, name) pairs. They mean the same path in the view and in the published
 * head as long as the directory is where the view's snapshot had it; a directory another view removed
 * or moved away is first made to exist again at the view's path (ForceDirs), and the view's entries and
 * links are translated there. Then, per node, the names are merged three-way (head, minus the names the
 * view removed, plus the names it added) and the content is the view's only if it changed it; per
 * entry, the view's entry wins and whatever head had there loses that name. Directories the view
 * removed or moved away that hold other views' new entries stay, or are recreated, for them.
 *
 * <p>Caller holds the publish lock and the view's write lock; the maps are changed in place.
 */
final class ForceMerge {
    private final ForceState s;
    private final ForceDirs dirs;
    private final PublishedVersions versions;
    private final long snap;
    private final long head;
    /** Files whose content the view changed. */
    private final Set<Long> contentChanged = new HashSet<>();

    ForceMerge(EngineParts parts, View v, Map<Long, NodeRecord> recs, Map<EntryName, EntryValue> dents) {
        this.s = new ForceState(parts, v, recs, dents);
        this.dirs = new ForceDirs(s);
        this.versions = parts.versions();
        this.snap = s.snap;
        this.head = s.head;
    }

    /** Nodes and entries written that were not in the view's delta (they need conflict keys too). */
    Set<Long> extraNodes() {
        return s.extraNodes;
    }

    Set<EntryName> extraLinks() {
        return s.extraLinks;
    }

    /** Directories the view removed that stay where they were (no removal key). */
    Set<Long> keptInPlace() {
        return dirs.keptInPlace;
    }

    /**
     * Entries to be written as head already has them (both views removed a name, say): not written,
     * and their keys dropped, for the same reason as {@link #unchanged()}.
     */
    Set<EntryName> unchangedEntries() {
        Set<EntryName> out = new HashSet<>();
        for (var en : s.dents.entrySet()) {
            EntryName l = en.getKey();
            EntryValue h = versions.dent(l.parent(), l.name(), head);
            EntryValue d = en.getValue();
            if (h.child() == d.child() && (d.child() == 0 || h.type() == d.type())) out.add(l);
        }
        return out;
    }

    void run() {
        // Only what the view adds makes directories exist again: a removal needs nothing where nothing is.
        for (var en : s.mineDents.entrySet())
            if (en.getValue().child() != 0) dirs.target(en.getKey().parent());
        for (NodeRecord r : s.mine.values()) for (EntryName l : r.links) dirs.target(l.parent());
        Map<Long, Set<EntryName>> toPlace = new LinkedHashMap<>();
        for (var en : s.mine.entrySet()) {
            long id = en.getKey();
            NodeRecord h = versions.node(id, head);
            if (dirs.revived(id)) continue;
            if (h == null) {
                translateLinks(s.recs.get(id));
                continue;
            }
            NodeRecord m = merge(id, en.getValue(), h);
            s.recs.put(id, m);
            toPlace.put(id, dirs.tr(en.getValue().links)); // the view's names; head's stay as head has them
        }
        translateEntries();
        for (var en : toPlace.entrySet()) {
            NodeRecord m = s.recs.get(en.getKey());
            for (EntryName l : en.getValue()) {
                if (m.links.contains(l) && s.dent(l).child() != en.getKey()) s.place(l, en.getKey(), m.type);
            }
        }
        for (long id : toPlace.keySet()) clearDroppedNames(id);
        displaceOverwritten();
        for (var en : toPlace.entrySet()) reviveChanged(en.getKey(), en.getValue());
        for (long id : new ArrayList<>(s.mine.keySet())) dirs.keepForOthers(id);
    }

    /**
     * Nodes of the view's delta whose merged record is the head's (names, link count, content): the
     * view's change to them did not take (another view had already done the same, or moved the file
     * away from the name the view removed). They are not written, and their keys are dropped, so that
     * nobody conflicts with a change that was not made.
     */
    Set<Long> unchanged() {
        Set<Long> out = new HashSet<>();
        for (long id : s.mine.keySet()) {
            NodeRecord h = versions.node(id, head);
            NodeRecord r = s.recs.get(id);
            if (h == null
                    || r == null
                    || !ForceState.sameContent(h, r)
                    || h.nlink != r.nlink
                    || !ForceState.sameLinks(h.links, r.links)) continue;
            if (r.isDir() && r.mtime != h.mtime) continue; // entries added: the directory's times move on
            out.add(id);
        }
        return out;
    }

    private void translateLinks(NodeRecord r) {
        r.links = new ArrayList<>(dirs.tr(r.links));
    }

    /** The view's entries under moved directories go to the directories at the view's paths. */
    private void translateEntries() {
        for (var en : s.mineDents.entrySet()) {
            EntryName l = en.getKey();
            boolean removal = en.getValue().child() == 0;
            EntryName t = removal ? dirs.trGone(l) : dirs.tr(l);
            if (l.equals(t)) continue;
            if (s.dents.get(l) == en.getValue()) s.dents.remove(l);
            // a removal where nothing is (no directory at that path, or a recreated one) has nothing to write
            if (t != null
                    && (!removal || versions.dent(t.parent(), t.name(), head).child() != 0))
                s.dents.put(t, en.getValue());
        }
    }

    /** The view's record of an existing node over the head's: names merged three-way, content the view's if it changed it. */
    private NodeRecord merge(long id, NodeRecord m, NodeRecord h) {
        NodeRecord base = versions.node(id, snap);
        boolean changed = base == null || !ForceState.sameContent(base, m);
        NodeRecord r = (changed ? m : h).copy();
        r.atime = Math.max(h.atime, m.atime);
        r.ctime = Math.max(h.ctime, m.ctime);
        if (r.isDir() && !changed) r.mtime = Math.max(h.mtime, m.mtime);
        r.links = new ArrayList<>(h.links);
        r.nlink = h.nlink;
        Set<EntryName> was = base == null ? Set.of() : dirs.trGone(base.links);
        Set<EntryName> now = dirs.tr(m.links);
        // Content follows the file: if another view only renamed it, the view's change is there, and the
        // old name stays free (a name added back would make a hard link nobody made). reviveChanged()
        // brings back a changed file left with no name at all.
        if (changed && !r.isDir()) contentChanged.add(id);
        for (EntryName l : was) if (!now.contains(l)) ForceState.unlinkName(r, l);
        if (movedByBoth(was, now, h)) {
            // Both moved the file away from a name: it has one place, the view's (the other's is overridden);
            // keeping both would make a hard link nobody made.
            for (EntryName l : h.links) if (!was.contains(l)) ForceState.unlinkName(r, l);
        }
        boolean viewMovedIt = base != null && movedAway(new HashSet<>(base.links), new HashSet<>(m.links));
        if (viewMovedIt) {
            // The view moved the node away from a name whose directory others moved (so the removal, by
            // path, found nothing there): the node's own link is still in head at the new path, and keeping
            // it beside the view's new name would make a hard link nobody made (for a directory, two names).
            for (EntryName l : base.links) if (!m.links.contains(l)) ForceState.unlinkName(r, l);
        }
        for (EntryName l : now) if (!was.contains(l)) ForceState.linkName(r, l);
        if (r.isDir() && viewMovedIt) {
            // a directory has one name: where the view put it
            for (EntryName l : new ArrayList<>(r.links)) if (!now.contains(l)) ForceState.unlinkName(r, l);
        }
        if (r.isDir()) r.nlink = r.links.isEmpty() ? 0 : 1;
        return r;
    }

    /** The view gave the node a name it did not have. */
    private static boolean movedAway(Set<EntryName> was, Set<EntryName> now) {
        for (EntryName l : now) if (!was.contains(l)) return true;
        return false;
    }

    /** The view moved the node (dropped a name, added one) and head also lacks a name the view dropped. */
    private static boolean movedByBoth(Set<EntryName> was, Set<EntryName> now, NodeRecord h) {
        boolean added = false;
        for (EntryName l : now) added |= !was.contains(l);
        if (!added) return false;
        for (EntryName l : was) if (!now.contains(l) && !h.links.contains(l)) return true;
        return false;
    }

    /**
     * A file the view changed that was left without any name (another view removed it, or took the
     * names it had) comes back at the view's names: the view's version of those paths is that file.
     */
    private void reviveChanged(long id, Set<EntryName> viewNames) {
        NodeRecord r = s.recs.get(id);
        if (!contentChanged.contains(id) || !r.links.isEmpty()) return;
        for (EntryName l : viewNames) {
            ForceState.linkName(r, l);
            s.place(l, id, r.type);
        }
    }

    /** Names head gave node id that the merge took from it (the view's move won) are written as removed. */
    private void clearDroppedNames(long id) {
        List<EntryName> kept = s.recs.get(id).links;
        for (EntryName l : versions.node(id, head).links) {
            if (!kept.contains(l) && s.dent(l).child() == id) s.put(l, EntryValue.DELETED);
        }
    }

    /** Whatever head had at a name the view set loses that name. */
    private void displaceOverwritten() {
        for (var en : new ArrayList<>(s.dents.entrySet())) {
            EntryName l = en.getKey();
            long was = versions.dent(l.parent(), l.name(), head).child();
            if (was != 0 && was != en.getValue().child()) s.displace(was, l);
        }
    }
}
