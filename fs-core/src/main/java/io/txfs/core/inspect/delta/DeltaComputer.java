package io.txfs.core.inspect.delta;

import io.txfs.core.inspect.EntryKind;
import io.txfs.core.inspect.EntryStat;
import io.txfs.core.inspect.Name;
import io.txfs.core.inspect.ObjectFormat;
import io.txfs.core.inspect.ObjectId;
import io.txfs.core.inspect.TreeHasher;
import io.txfs.core.inspect.TreePath;
import io.txfs.core.inspect.TreeSource;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;

/**
 * Computes the canonical delta between two states of a tree. A deleted directory is one entry (its
 * contents go with it); an added directory is an entry plus one per descendant. Renames are not
 * detected: they are a delete and an add. Subtrees whose version tokens are equal on both sides are
 * skipped without being read.
 */
public final class DeltaComputer {
    private final ObjectFormat format;
    private final boolean mtimes;

    public DeltaComputer(ObjectFormat format, boolean mtimes) {
        this.format = format;
        this.mtimes = mtimes;
    }

    /**
     * The delta that turns {@code before} into {@code after} within the directory {@code root} of both,
     * with paths relative to it (export it with {@code before.subtree(root)} and {@code after.subtree(root)}).
     */
    public Delta compute(TreeSource before, TreeSource after, TreePath root) throws IOException {
        return compute(before.subtree(root), after.subtree(root));
    }

    /** The delta that turns {@code before} into {@code after}. */
    public Delta compute(TreeSource before, TreeSource after) throws IOException {
        Walk w = new Walk(before, after);
        w.directory(TreePath.root());
        w.out.sort((a, b) -> a.entry.path().compareTo(b.entry.path()));
        return new Delta(linkHardLinks(w.out, after), format, mtimes);
    }

    private record Pending(DeltaEntry entry, Object inodeKey, long nlink) {}

    /**
     * A changed file that shares its inode with other files becomes a hard link: to the first
     * unchanged member of its inode group when there is one (the tree the delta is applied to has it
     * already), else to the first member, which the delta carries as content. Finding the groups needs
     * a walk of all of {@code after}, done only when some changed file has more than one link.
     */
    private static List<DeltaEntry> linkHardLinks(List<Pending> sorted, TreeSource after) throws IOException {
        Set<TreePath> changed = new HashSet<>();
        for (Pending p : sorted) {
            if (isLinkedFile(p)) {
                changed.add(p.entry.path());
            }
        }
        Map<Object, List<TreePath>> groups = new HashMap<>();
        if (!changed.isEmpty()) {
            linkGroups(after, TreePath.root(), groups);
        }
        List<DeltaEntry> out = new ArrayList<>(sorted.size());
        for (Pending p : sorted) {
            DeltaEntry e = p.entry;
            TreePath target = isLinkedFile(p) ? linkTarget(groups.get(p.inodeKey), changed) : null;
            out.add(target != null && !target.equals(e.path()) ? e.withLinkTo(target) : e);
        }
        return out;
    }

    private static TreePath linkTarget(List<TreePath> group, Set<TreePath> changed) {
        if (group == null) {
            return null;
        }
        TreePath firstUnchanged = null;
        TreePath first = null;
        for (TreePath p : group) {
            first = first == null || p.compareTo(first) < 0 ? p : first;
            if (!changed.contains(p) && (firstUnchanged == null || p.compareTo(firstUnchanged) < 0)) {
                firstUnchanged = p;
            }
        }
        return firstUnchanged != null ? firstUnchanged : first;
    }

    private static boolean isLinkedFile(Pending p) {
        return p.entry.change() != ChangeKind.DELETED && p.entry.type() == EntryKind.FILE && p.nlink > 1;
    }

    private static void linkGroups(TreeSource src, TreePath dir, Map<Object, List<TreePath>> groups)
            throws IOException {
        for (Name n : src.list(dir)) {
            TreePath p = dir.resolve(n);
            EntryStat s = src.stat(p);
            if (s.kind() == EntryKind.DIRECTORY) {
                linkGroups(src, p, groups);
            } else if (s.kind() == EntryKind.FILE && s.nlink() > 1) {
                groups.computeIfAbsent(s.inodeKey(), k -> new ArrayList<>()).add(p);
            }
        }
    }

    private final class Walk {
        final TreeSource before;
        final TreeSource after;
        final List<Pending> out = new ArrayList<>();

        Walk(TreeSource before, TreeSource after) {
            this.before = before;
            this.after = after;
        }

        void directory(TreePath dir) throws IOException {
            if (sameVersion(dir)) {
                return;
            }
            Iterator<Name> b = before.list(dir).iterator();
            Iterator<Name> a = after.list(dir).iterator();
            Name nb = next(b);
            Name na = next(a);
            while (nb != null || na != null) {
                int c = nb == null ? 1 : na == null ? -1 : nb.compareTo(na);
                if (c < 0) {
                    TreePath p = dir.resolve(nb);
                    out.add(new Pending(DeltaEntry.deleted(p, before.stat(p).kind()), null, 0));
                    nb = next(b);
                } else if (c > 0) {
                    added(dir.resolve(na), ChangeKind.ADDED);
                    na = next(a);
                } else {
                    both(dir.resolve(na));
                    nb = next(b);
                    na = next(a);
                }
            }
        }

        private void both(TreePath p) throws IOException {
            if (sameVersion(p)) {
                return;
            }
            EntryStat bs = before.stat(p);
            EntryStat as = after.stat(p);
            if (bs.kind() != as.kind()) {
                added(p, ChangeKind.TYPE_CHANGED);
                return;
            }
            SortedMap<Name, byte[]> bx = before.xattrs(p);
            SortedMap<Name, byte[]> ax = after.xattrs(p);
            boolean metadata = bs.permissions() != as.permissions()
                    || bs.uid() != as.uid()
                    || bs.gid() != as.gid()
                    || !sameXattrs(bx, ax)
                    || (mtimes && bs.mtimeNanos() != as.mtimeNanos())
                    // A file gaining or losing a link changed the tree's hard-link structure.
                    || (as.kind() == EntryKind.FILE && bs.nlink() != as.nlink());
            ObjectId content = null;
            boolean modified = false;
            switch (as.kind()) {
                case FILE:
                    content = TreeHasher.contentId(format, after, p, as);
                    modified = bs.size() != as.size() || !content.equals(TreeHasher.contentId(format, before, p, bs));
                    break;
                case SYMLINK:
                    content = TreeHasher.contentId(format, after, p, as);
                    modified = !Arrays.equals(before.readLink(p), after.readLink(p));
                    break;
                case CHAR_DEVICE:
                case BLOCK_DEVICE:
                    modified = bs.rdev() != as.rdev();
                    break;
                default:
                    break;
            }
            if (modified || metadata) {
                out.add(entry(p, modified ? ChangeKind.MODIFIED : ChangeKind.METADATA, as, ax, content));
            }
            if (as.kind() == EntryKind.DIRECTORY) {
                directory(p);
            }
        }

        private void added(TreePath p, ChangeKind change) throws IOException {
            EntryStat as = after.stat(p);
            ObjectId content = as.kind() == EntryKind.FILE || as.kind() == EntryKind.SYMLINK
                    ? TreeHasher.contentId(format, after, p, as)
                    : null;
            out.add(entry(p, change, as, after.xattrs(p), content));
            if (as.kind() == EntryKind.DIRECTORY) {
                for (Name n : after.list(p)) {
                    added(p.resolve(n), ChangeKind.ADDED);
                }
            }
        }

        private Pending entry(
                TreePath p, ChangeKind change, EntryStat s, SortedMap<Name, byte[]> xattrs, ObjectId content)
                throws IOException {
            byte[] target = s.kind() == EntryKind.SYMLINK ? after.readLink(p) : null;
            DeltaEntry e = new DeltaEntry(
                    p,
                    change,
                    s.kind(),
                    s.permissions(),
                    s.uid(),
                    s.gid(),
                    s.kind() == EntryKind.FILE ? s.size() : 0,
                    content,
                    target,
                    s.kind().isDevice() ? s.rdev() : 0,
                    xattrs,
                    null,
                    mtimes ? s.mtimeNanos() : null);
            return new Pending(e, s.inodeKey(), s.nlink());
        }

        private boolean sameVersion(TreePath p) throws IOException {
            Optional<Object> vb = before.version(p);
            Optional<Object> va = after.version(p);
            return vb.isPresent() && va.isPresent() && Objects.equals(vb.get(), va.get());
        }
    }

    private static Name next(Iterator<Name> it) {
        return it.hasNext() ? it.next() : null;
    }

    private static boolean sameXattrs(SortedMap<Name, byte[]> a, SortedMap<Name, byte[]> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (Map.Entry<Name, byte[]> e : a.entrySet()) {
            if (!Arrays.equals(e.getValue(), b.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }
}
