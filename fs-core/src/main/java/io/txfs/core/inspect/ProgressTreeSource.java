package io.txfs.core.inspect;

import io.txfs.core.progress.LongWork;
import java.io.FilterInputStream;
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
        return new FilterInputStream(inner.open(path)) {
            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) work.advance(0, 1);
                return b;
            }

            @Override
            public int read(byte[] buf, int off, int len) throws IOException {
                int n = super.read(buf, off, len);
                if (n > 0) work.advance(0, n);
                return n;
            }
        };
    }
}
