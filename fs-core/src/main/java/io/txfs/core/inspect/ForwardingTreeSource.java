package io.txfs.core.inspect;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;

/**
 * A source that hands everything to another; decorators override what they change, and {@link #at} when
 * they map or refuse paths.
 */
public abstract class ForwardingTreeSource implements TreeSource {
    protected final TreeSource inner;

    protected ForwardingTreeSource(TreeSource inner) {
        this.inner = inner;
    }

    /** The inner source's path for {@code path}: the same path, unless a decorator maps or refuses it. */
    protected TreePath at(TreePath path) throws IOException {
        return path;
    }

    @Override
    public List<Name> list(TreePath dir) throws IOException {
        return inner.list(at(dir));
    }

    @Override
    public EntryStat stat(TreePath path) throws IOException {
        return inner.stat(at(path));
    }

    @Override
    public SortedMap<Name, byte[]> xattrs(TreePath path) throws IOException {
        return inner.xattrs(at(path));
    }

    @Override
    public InputStream open(TreePath path) throws IOException {
        return inner.open(at(path));
    }

    @Override
    public byte[] readLink(TreePath path) throws IOException {
        return inner.readLink(at(path));
    }

    @Override
    public Optional<Object> version(TreePath path) throws IOException {
        return inner.version(at(path));
    }
}
