package io.txfs.core.publish;

import io.txfs.core.format.EntryName;
import io.txfs.core.format.EntryValue;
import io.txfs.core.format.NodeRecord;
import io.txfs.core.model.ChangeSet;
import io.txfs.core.model.EngineConstants;
import io.txfs.core.model.FileType;
import io.txfs.core.model.NameRules;
import io.txfs.core.tree.EngineParts;
import io.txfs.core.tree.View;
import io.txfs.core.tree.ViewOperation;
import java.util.ArrayList;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * What a forced publish did to others' changes and to its own (docs/publish-force.md). Taken from the
 * outcome, not from the merge's decisions: before the publish it notes, for every change other views
 * published since the view's snapshot, what the head has at that path, and, for every entry the view
 * changed, what the view has there; after the publish it looks at those paths again.
 * <ul>
 * <li>overridden: an entry others changed now holds another node (or nothing, or something where
 * they removed it) or the same file with other content, or a file whose content others changed is
 * gone or has other content;
 * <li>kept: an entry the view changed does not hold what the view had there (a directory it removed
 * stays, or is recreated, for files others published inside it).
 * </ul>
 * Two directories at one path count as the same entry: a directory's own change is its entries.
 */
final class ForceReport {
    private final List<Expect> entries = new ArrayList<>();
    private final List<Expect> contents = new ArrayList<>();
    private final List<Expect> mine = new ArrayList<>();

    /** At path, child (0: nothing) of type, and for contents the record whose content must survive. */
    private record Expect(List<byte[]> path, long child, FileType type, NodeRecord record) {}

    private ForceReport() {}

    /** Caller holds the publish lock and the view's write lock; viewDents: the view's pending entries. */
    static ForceReport before(EngineParts e, View v, Map<EntryName, EntryValue> viewDents) {
        ForceReport r = new ForceReport();
        ViewOperation head = new ViewOperation(e.state().published, e.state().head());
        ChangeSet others = e.versions().changesBetween(v.snapshot, e.state().head());
        for (ChangeSet.Entry en : others.entries()) {
            List<byte[]> path = path(e, head, en.parent(), en.name());
            EntryValue d = e.versions().dent(en.parent(), en.name(), e.state().head());
            EntryValue was = e.versions().dent(en.parent(), en.name(), v.snapshot);
            boolean netChange = was.child() != d.child(); // not made and undone
            // a file another view put there also keeps its content (the view may have changed that file elsewhere)
            NodeRecord file = d.child() == 0 || d.type() == FileType.DIRECTORY
                    ? null
                    : e.versions().node(d.child(), e.state().head());
            if (path == null || !netChange) continue;
            // directories are compared by type: a directory replaced by a directory is a change of entries only
            boolean dirForDir = was.child() != 0 && was.type() == FileType.DIRECTORY && d.type() == FileType.DIRECTORY;
            if (!dirForDir) r.entries.add(new Expect(path, d.child(), d.type(), file));
            // a directory another view moved there brings paths of its own: each must survive too
            if (d.type() == FileType.DIRECTORY && e.versions().node(d.child(), v.snapshot) != null)
                r.subtree(e, head, d.child(), path, 0);
            // and a directory moved or removed from there leaves paths whose absence is their change too
            if (was.type() == FileType.DIRECTORY && was.child() != 0)
                r.vacated(e, new ViewOperation(e.state().published, v.snapshot), was.child(), path, 0);
        }
        for (long id : others.inodes()) {
            NodeRecord h = e.versions().node(id, e.state().head());
            NodeRecord base = e.versions().node(id, v.snapshot);
            if (h == null || h.isDir() || h.nlink == 0 || base != null && ForceState.sameContent(base, h)) continue;
            for (EntryName l : h.links) {
                List<byte[]> path = path(e, head, l.parent(), l.name());
                if (path != null) r.contents.add(new Expect(path, id, h.type, h));
            }
        }
        ViewOperation view = e.tree().readCtx(v);
        for (var en : viewDents.entrySet()) {
            List<byte[]> path = path(e, view, en.getKey().parent(), en.getKey().name());
            if (path != null)
                r.mine.add(new Expect(path, en.getValue().child(), en.getValue().type(), null));
        }
        return r;
    }

    /** Expectations for everything below directory dir as the head has it (cost: that subtree). */
    private void subtree(EngineParts e, ViewOperation head, long dir, List<byte[]> path, int depth) {
        NodeRecord rec = e.versions().node(dir, head.snap);
        if (rec == null || depth > 4096) return;
        e.imports().ensureImported(dir, rec);
        for (var en : e.tree().entries(head, dir).entrySet()) {
            List<byte[]> p = new ArrayList<>(path);
            p.add(en.getKey());
            EntryValue d = en.getValue();
            NodeRecord file =
                    d.type() == FileType.DIRECTORY ? null : e.versions().node(d.child(), head.snap);
            entries.add(new Expect(p, d.child(), d.type(), file));
            if (d.type() == FileType.DIRECTORY) subtree(e, head, d.child(), p, depth + 1);
        }
    }

    /** Expectations for the paths below directory dir as the snapshot had them: what head has there now. */
    private void vacated(EngineParts e, ViewOperation base, long dir, List<byte[]> path, int depth) {
        NodeRecord rec = e.versions().node(dir, base.snap);
        if (rec == null || depth > 4096) return;
        e.imports().ensureImported(dir, rec);
        for (var en : e.tree().entries(base, dir).entrySet()) {
            List<byte[]> p = new ArrayList<>(path);
            p.add(en.getKey());
            EntryValue now = at(e, e.state().head(), p);
            NodeRecord file = now.child() == 0 || now.type() == FileType.DIRECTORY
                    ? null
                    : e.versions().node(now.child(), e.state().head());
            if (now.child() != en.getValue().child())
                entries.add(new Expect(p, now.child(), now.type(), file)); // else not changed
            if (en.getValue().type() == FileType.DIRECTORY)
                vacated(e, base, en.getValue().child(), p, depth + 1);
        }
    }

    /** Paths (from the mount root) where others' changes did not survive the publish of version. */
    List<String> overridden(EngineParts e, long version) {
        TreeSet<String> out = new TreeSet<>();
        for (Expect x : entries)
            if (!same(x, at(e, version, x.path)) || !sameFile(e, x, version)) out.add(show(x.path));
        for (Expect x : contents) {
            NodeRecord now = e.versions().node(x.child, version);
            if (now == null || now.nlink == 0 || !ForceState.sameContent(x.record, now)) out.add(show(x.path));
        }
        return new ArrayList<>(out);
    }

    /** Paths the view changed that do not hold the view's version after the publish of version. */
    List<String> kept(EngineParts e, long version) {
        TreeSet<String> out = new TreeSet<>();
        for (Expect x : mine) if (!same(x, at(e, version, x.path))) out.add(show(x.path));
        return new ArrayList<>(out);
    }

    private static boolean sameFile(EngineParts e, Expect want, long version) {
        return want.record == null
                || ForceState.sameContent(want.record, e.versions().node(want.child, version));
    }

    private static boolean same(Expect want, EntryValue got) {
        if (want.child == got.child()) return true;
        return want.child != 0
                && got.child() != 0
                && want.type == FileType.DIRECTORY
                && got.type() == FileType.DIRECTORY;
    }

    /** The entry at path in a published version (DELETED when a component is missing or not a directory). */
    private static EntryValue at(EngineParts e, long version, List<byte[]> path) {
        long dir = EngineConstants.ROOT;
        EntryValue d = EntryValue.DELETED;
        for (int i = 0; i < path.size(); i++) {
            d = e.versions().dent(dir, path.get(i), version);
            if (d.child() == 0) return EntryValue.DELETED;
            if (i < path.size() - 1 && d.type() != FileType.DIRECTORY) return EntryValue.DELETED;
            dir = d.child();
        }
        return d;
    }

    /** The names from the root to (parent, name) as ctx sees them, or null if parent is not reachable. */
    private static List<byte[]> path(EngineParts e, ViewOperation c, long parent, byte[] name) {
        LinkedList<byte[]> names = new LinkedList<>();
        names.add(name);
        long cur = parent;
        for (int guard = 0; cur != EngineConstants.ROOT; guard++) {
            NodeRecord r = e.tree().node(c, cur);
            if (guard > 4096 || r == null || r.links.isEmpty() || r.nlink == 0) return null;
            names.addFirst(r.link().name());
            cur = r.link().parent();
        }
        return names;
    }

    private static String show(List<byte[]> path) {
        StringBuilder sb = new StringBuilder();
        for (byte[] n : path) sb.append('/').append(NameRules.utf8(n));
        return sb.toString();
    }
}
