package io.txfs.core.inspect;

import io.txfs.core.progress.LongWork;
import io.txfs.core.progress.ProgressInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A source that counts what a reader of it has done into a {@link LongWork}: one item per entry
 * looked at, the bytes of every file content read. A walk of the backing directory has no total it
 * could know without walking twice, so the work's totals stay unknown and clients show a count and a rate.
 */
public final class ProgressTreeSource extends ForwardingTreeSource {
    private final LongWork work;

    public ProgressTreeSource(TreeSource inner, LongWork work) {
        super(inner);
        this.work = work;
    }

    @Override
    public EntryStat stat(TreePath path) throws IOException {
        EntryStat s = inner.stat(path);
        work.advance(1, 0);
        return s;
    }

    @Override
    public InputStream open(TreePath path) throws IOException {
        return new ProgressInputStream(inner.open(path), work);
    }
}
