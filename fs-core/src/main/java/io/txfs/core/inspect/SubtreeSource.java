package io.txfs.core.inspect;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;

/** A source seen from one of its directories: paths are relative to {@code root}. */
final class SubtreeSource implements TreeSource {
    private final TreeSource inner;
    private final TreePath root;

    SubtreeSource(TreeSource inner, TreePath root) {
        this.inner = inner;
        this.root = root;
    }

    private TreePath full(TreePath p) {
        TreePath out = root;
        for (Name n : p.names()) {
            out = out.resolve(n);
        }
        return out;
    }

    @Override
    public List<Name> list(TreePath dir) throws IOException {
        return inner.list(full(dir));
    }

    @Override
    public EntryStat stat(TreePath path) throws IOException {
        return inner.stat(full(path));
    }

    @Override
    public SortedMap<Name, byte[]> xattrs(TreePath path) throws IOException {
        return inner.xattrs(full(path));
    }

    @Override
    public InputStream open(TreePath path) throws IOException {
        return inner.open(full(path));
    }

    @Override
    public byte[] readLink(TreePath path) throws IOException {
        return inner.readLink(full(path));
    }

    @Override
    public Optional<Object> version(TreePath path) throws IOException {
        return inner.version(full(path));
    }
}
