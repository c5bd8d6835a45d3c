package io.txfs.core.inspect;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;

/** Records which paths were read (list, stat, open, readLink, xattrs), not counting version lookups. */
final class CountingTreeSource extends ForwardingTreeSource {
    final List<String> reads = new ArrayList<>();

    CountingTreeSource(TreeSource inner) {
        super(inner);
    }

    @Override
    public List<Name> list(TreePath dir) throws IOException {
        reads.add("list " + dir);
        return inner.list(dir);
    }

    @Override
    public EntryStat stat(TreePath path) throws IOException {
        reads.add("stat " + path);
        return inner.stat(path);
    }

    @Override
    public SortedMap<Name, byte[]> xattrs(TreePath path) throws IOException {
        reads.add("xattrs " + path);
        return inner.xattrs(path);
    }

    @Override
    public InputStream open(TreePath path) throws IOException {
        reads.add("open " + path);
        return inner.open(path);
    }

    @Override
    public byte[] readLink(TreePath path) throws IOException {
        reads.add("readlink " + path);
        return inner.readLink(path);
    }
}
