package io.txfs.fuse.view.verbs;

import io.txfs.core.inspect.EntryStat;
import io.txfs.core.inspect.Name;
import io.txfs.core.inspect.TreePath;
import io.txfs.core.inspect.TreeSource;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;

/** The backing directory without {@code .txfs} at its root, as views show it. */
final class WithoutControlDirectory implements TreeSource {
    private static final Name RESERVED = Name.of(".txfs");
    private final TreeSource inner;

    WithoutControlDirectory(TreeSource inner) {
        this.inner = inner;
    }

    private TreePath check(TreePath p) throws NoSuchFileException {
        if (!p.isRoot() && p.names().get(0).equals(RESERVED)) {
            throw new NoSuchFileException(p.toString());
        }
        return p;
    }

    @Override
    public List<Name> list(TreePath dir) throws IOException {
        List<Name> names = new ArrayList<>(inner.list(check(dir)));
        if (dir.isRoot()) {
            names.remove(RESERVED);
        }
        return names;
    }

    @Override
    public EntryStat stat(TreePath path) throws IOException {
        return inner.stat(check(path));
    }

    @Override
    public SortedMap<Name, byte[]> xattrs(TreePath path) throws IOException {
        return inner.xattrs(check(path));
    }

    @Override
    public InputStream open(TreePath path) throws IOException {
        return inner.open(check(path));
    }

    @Override
    public byte[] readLink(TreePath path) throws IOException {
        return inner.readLink(check(path));
    }
}
