package io.txfs.core.publish;

import io.txfs.core.format.EntryName;
import io.txfs.core.format.EntryValue;
import io.txfs.core.format.NodeRecord;
import io.txfs.core.model.FileType;
import io.txfs.core.tree.BackingImport;
import io.txfs.core.tree.EngineParts;
import io.txfs.core.tree.LayeredTree;
import io.txfs.core.tree.PublishedVersions;
import io.txfs.core.tree.View;
import io.txfs.core.tree.ViewOperation;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What a forced publish will write, while ForceMerge and ForceDirs build it: the records and entries
 * over the published head, the view's own delta as committed, and the steps both use (an entry set,
 * a node losing a name).
 */
final class ForceState {
    final EngineParts parts;
    final PublishedVersions versions;
    final LayeredTree tree;
    final BackingImport imports;
    final View v;
    final long snap;
    final long head;
    /** Records to write, by node: starts as the view's pending records. */
    final Map<Long, NodeRecord> recs;
    /** Entries to write: starts as the view's pending entries. */
    final Map<EntryName, EntryValue> dents;
    /** The view's own pending records and entries, as committed (never changed). */
    final Map<Long, NodeRecord> mine = new HashMap<>();

    final Map<EntryName, EntryValue> mineDents;
    /** Nodes and entries written that were not in the view's delta (they need conflict keys too). */
    final Set<Long> extraNodes = new LinkedHashSet<>();

    final Set<EntryName> extraLinks = new LinkedHashSet<>();
    /** The view as it is before the publish, and the head. */
    final ViewOperation viewCtx;

    final ViewOperation headCtx;

    ForceState(EngineParts parts, View v, Map<Long, NodeRecord> recs, Map<EntryName, EntryValue> dents) {
        this.parts = parts;
        this.versions = parts.versions();
        this.tree = parts.tree();
        this.imports = parts.imports();
        this.v = v;
        this.snap = v.snapshot;
        this.head = parts.state().head();
        this.recs = recs;
        this.dents = dents;
        for (var en : recs.entrySet()) mine.put(en.getKey(), en.getValue().copy());
        this.mineDents = new LinkedHashMap<>(dents);
        this.viewCtx = tree.readCtx(v);
        this.headCtx = new ViewOperation(parts.state().published, head);
    }

    /** The entry at l as it will be written: this merge's, else the head's. */
    EntryValue dent(EntryName l) {
        EntryValue d = dents.get(l);
        return d != null ? d : versions.dent(l.parent(), l.name(), head);
    }

    void put(EntryName l, EntryValue d) {
        if (!mineDents.containsKey(l)) extraLinks.add(l);
        dents.put(l, d);
    }

    /** The record of id as it will be written (a copy of the head's when the view has none). */
    NodeRecord cur(long id) {
        NodeRecord r = recs.get(id);
        if (r != null) return r;
        r = versions.node(id, head);
        if (r == null) throw new IllegalStateException("no node " + id + " at version " + head);
        r = r.copy();
        recs.put(id, r);
        extraNodes.add(id);
        return r;
    }

    void place(EntryName l, long id, FileType type) {
        long old = dent(l).child();
        if (old != 0 && old != id) displace(old, l);
        put(l, new EntryValue(id, type));
    }

    /** Node id no longer has name l; a directory left without a name takes what others put in it along. */
    void displace(long id, EntryName l) {
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
        NodeRecord r = versions.node(dir, head);
        if (r == null) return;
        imports.ensureImported(dir, r);
        for (var en : tree.entries(headCtx, dir).entrySet()) {
            EntryName l = new EntryName(dir, en.getKey());
            if (mineDents.containsKey(l)) continue;
            put(l, EntryValue.DELETED);
            displace(en.getValue().child(), l);
        }
    }

    static void unlinkName(NodeRecord r, EntryName l) {
        if (r.links.remove(l)) r.nlink = r.isDir() ? 0 : Math.max(0, r.nlink - 1);
    }

    static void linkName(NodeRecord r, EntryName l) {
        if (r.links.contains(l)) return;
        r.links.add(l);
        r.nlink = r.isDir() ? 1 : r.nlink + 1;
    }

    /** Everything but names, link count and access/change times: what a reader of the file sees. */
    static boolean sameContent(NodeRecord a, NodeRecord b) {
        boolean times = a.isDir() || a.mtime == b.mtime;
        return a.type == b.type
                && a.perm == b.perm
                && a.uid == b.uid
                && a.gid == b.gid
                && a.size == b.size
                && a.rdev == b.rdev
                && times
                && Arrays.equals(a.target, b.target)
                && sameXattrs(a, b)
                && Arrays.equals(a.chainLayer, b.chainLayer)
                && Arrays.equals(a.chainValid, b.chainValid)
                && Objects.equals(a.identity(), b.identity())
                && a.baseValid == b.baseValid;
    }

    private static boolean sameXattrs(NodeRecord a, NodeRecord b) {
        if (!a.xattrs.keySet().equals(b.xattrs.keySet())) return false;
        for (var en : a.xattrs.entrySet()) if (!Arrays.equals(en.getValue(), b.xattrs.get(en.getKey()))) return false;
        return true;
    }

    static boolean sameLinks(List<EntryName> a, List<EntryName> b) {
        return new HashSet<>(a).equals(new HashSet<>(b));
    }
}
