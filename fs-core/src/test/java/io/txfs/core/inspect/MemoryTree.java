package io.txfs.core.inspect;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An in-memory tree of immutable nodes, the way the engine's snapshots will look: a change makes new
 * nodes along the changed path (with new versions), everything else is shared, so a snapshot is just
 * the old root and version tokens are comparable across snapshots.
 */
final class MemoryTree implements TreeSource {
    private static final AtomicLong SERIAL = new AtomicLong();

    record Node(
            EntryKind kind,
            int permissions,
            long uid,
            long gid,
            long mtimeNanos,
            long rdev,
            byte[] data,
            SortedMap<Name, Node> children,
            SortedMap<Name, byte[]> xattrs,
            long inode,
            long nlink,
            long version) {
        Node withChildren(SortedMap<Name, Node> c) {
            return new Node(kind, permissions, uid, gid, mtimeNanos, rdev, data, c, xattrs, inode, nlink, next());
        }
    }

    private Node root;
    private long clock = 1_000_000_000L;

    MemoryTree() {
        root = new Node(
                EntryKind.DIRECTORY, 0755, 0, 0, clock, 0, null, new TreeMap<>(), new TreeMap<>(), next(), 2, next());
    }

    private MemoryTree(Node root) {
        this.root = root;
    }

    private static long next() {
        return SERIAL.incrementAndGet();
    }

    MemoryTree snapshot() {
        MemoryTree t = new MemoryTree(root);
        t.clock = clock;
        return t;
    }

    // ---- mutations ----

    MemoryTree write(String path, String content) {
        return write(path, content.getBytes(StandardCharsets.UTF_8), 0644);
    }

    MemoryTree write(String path, byte[] content, int perms) {
        return put(TreePath.of(path), leaf(EntryKind.FILE, perms, content));
    }

    MemoryTree mkdir(String path) {
        return put(
                TreePath.of(path),
                new Node(
                        EntryKind.DIRECTORY,
                        0755,
                        0,
                        0,
                        ++clock,
                        0,
                        null,
                        new TreeMap<>(),
                        new TreeMap<>(),
                        next(),
                        2,
                        next()));
    }

    MemoryTree symlink(String path, String target) {
        return put(TreePath.of(path), leaf(EntryKind.SYMLINK, 0777, target.getBytes(StandardCharsets.UTF_8)));
    }

    MemoryTree fifo(String path) {
        return put(TreePath.of(path), leaf(EntryKind.FIFO, 0644, null));
    }

    MemoryTree chmod(String path, int perms) {
        Node n = node(TreePath.of(path));
        return put(
                TreePath.of(path),
                new Node(
                        n.kind(),
                        perms,
                        n.uid(),
                        n.gid(),
                        ++clock,
                        n.rdev(),
                        n.data(),
                        n.children(),
                        n.xattrs(),
                        n.inode(),
                        n.nlink(),
                        next()));
    }

    MemoryTree chown(String path, long uid, long gid) {
        Node n = node(TreePath.of(path));
        return put(
                TreePath.of(path),
                new Node(
                        n.kind(),
                        n.permissions(),
                        uid,
                        gid,
                        n.mtimeNanos(),
                        n.rdev(),
                        n.data(),
                        n.children(),
                        n.xattrs(),
                        n.inode(),
                        n.nlink(),
                        next()));
    }

    MemoryTree setXattr(String path, String name, byte[] value) {
        Node n = node(TreePath.of(path));
        SortedMap<Name, byte[]> x = new TreeMap<>(n.xattrs());
        x.put(Name.xattr(name), value);
        return put(
                TreePath.of(path),
                new Node(
                        n.kind(),
                        n.permissions(),
                        n.uid(),
                        n.gid(),
                        n.mtimeNanos(),
                        n.rdev(),
                        n.data(),
                        n.children(),
                        x,
                        n.inode(),
                        n.nlink(),
                        next()));
    }

    MemoryTree touch(String path, long mtimeNanos) {
        Node n = node(TreePath.of(path));
        return put(
                TreePath.of(path),
                new Node(
                        n.kind(),
                        n.permissions(),
                        n.uid(),
                        n.gid(),
                        mtimeNanos,
                        n.rdev(),
                        n.data(),
                        n.children(),
                        n.xattrs(),
                        n.inode(),
                        n.nlink(),
                        next()));
    }

    /** A second name for the file at {@code existing}: same inode, both with nlink 2 (tests only link once). */
    MemoryTree link(String existing, String path) {
        Node n = node(TreePath.of(existing));
        Node linked = new Node(
                n.kind(),
                n.permissions(),
                n.uid(),
                n.gid(),
                n.mtimeNanos(),
                n.rdev(),
                n.data(),
                n.children(),
                n.xattrs(),
                n.inode(),
                n.nlink() + 1,
                next());
        put(TreePath.of(existing), linked);
        return put(
                TreePath.of(path),
                new Node(
                        n.kind(),
                        n.permissions(),
                        n.uid(),
                        n.gid(),
                        n.mtimeNanos(),
                        n.rdev(),
                        n.data(),
                        n.children(),
                        n.xattrs(),
                        n.inode(),
                        n.nlink() + 1,
                        next()));
    }

    MemoryTree delete(String path) {
        TreePath p = TreePath.of(path);
        root = replace(root, p.names(), 0, null);
        return this;
    }

    MemoryTree rename(String from, String to) {
        Node n = node(TreePath.of(from));
        delete(from);
        return put(TreePath.of(to), n);
    }

    private Node leaf(EntryKind kind, int perms, byte[] data) {
        return new Node(kind, perms, 0, 0, ++clock, 0, data, null, new TreeMap<>(), next(), 1, next());
    }

    private MemoryTree put(TreePath p, Node n) {
        root = replace(root, p.names(), 0, n);
        return this;
    }

    private Node replace(Node dir, List<Name> names, int i, Node n) {
        if (dir == null || dir.kind() != EntryKind.DIRECTORY) {
            throw new IllegalStateException("no directory at " + names.subList(0, i));
        }
        SortedMap<Name, Node> c = new TreeMap<>(dir.children());
        Name name = names.get(i);
        if (i == names.size() - 1) {
            if (n == null) {
                c.remove(name);
            } else {
                c.put(name, n);
            }
        } else {
            c.put(name, replace(c.get(name), names, i + 1, n));
        }
        return dir.withChildren(c);
    }

    Node node(TreePath p) {
        Node n = root;
        for (Name name : p.names()) {
            n = n.kind() == EntryKind.DIRECTORY ? n.children().get(name) : null;
            if (n == null) {
                throw new IllegalStateException("no such path " + p);
            }
        }
        return n;
    }

    private Node find(TreePath p) throws NoSuchFileException {
        try {
            return node(p);
        } catch (IllegalStateException e) {
            throw new NoSuchFileException(p.toString());
        }
    }

    // ---- TreeSource ----

    @Override
    public List<Name> list(TreePath dir) throws IOException {
        Node n = find(dir);
        if (n.kind() != EntryKind.DIRECTORY) {
            throw new IOException("not a directory: " + dir);
        }
        return new ArrayList<>(n.children().keySet());
    }

    @Override
    public EntryStat stat(TreePath path) throws IOException {
        Node n = find(path);
        long size = n.kind() == EntryKind.DIRECTORY ? 4096 : n.data() == null ? 0 : n.data().length;
        return new EntryStat(
                n.kind(), n.permissions(), n.uid(), n.gid(), size, n.mtimeNanos(), n.rdev(), n.nlink(), n.inode());
    }

    @Override
    public SortedMap<Name, byte[]> xattrs(TreePath path) throws IOException {
        return Collections.unmodifiableSortedMap(find(path).xattrs());
    }

    @Override
    public InputStream open(TreePath path) throws IOException {
        return new ByteArrayInputStream(find(path).data());
    }

    @Override
    public byte[] readLink(TreePath path) throws IOException {
        return find(path).data().clone();
    }

    @Override
    public Optional<Object> version(TreePath path) throws IOException {
        return Optional.of(find(path).version());
    }
}
