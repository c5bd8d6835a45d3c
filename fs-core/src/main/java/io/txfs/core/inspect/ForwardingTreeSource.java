package io.txfs.core.inspect;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;

/** A source that hands everything to another; decorators override what they change. */
public abstract class ForwardingTreeSource implements TreeSource {
    protected final TreeSource inner;

    protected ForwardingTreeSource(TreeSource inner) {
        this.inner = inner;
    }

    @Override
    public List<Name> list(TreePath dir) throws IOException {
        return inner.list(dir);
    }

    @Override
    public EntryStat stat(TreePath path) throws IOException {
        return inner.stat(path);
    }

    @Override
    public SortedMap<Name, byte[]> xattrs(TreePath path) throws IOException {
        return inner.xattrs(path);
    }

    @Override
    public InputStream open(TreePath path) throws IOException {
        return inner.open(path);
    }

    @Override
    public byte[] readLink(TreePath path) throws IOException {
        return inner.readLink(path);
    }

    @Override
    public Optional<Object> version(TreePath path) throws IOException {
        return inner.version(path);
    }
}
