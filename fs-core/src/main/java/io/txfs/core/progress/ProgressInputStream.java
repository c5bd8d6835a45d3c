package io.txfs.core.progress;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/** Counts the bytes read through it into a {@link LongWork} (file contents a hash of the backing directory reads). */
public final class ProgressInputStream extends FilterInputStream {
    private final LongWork work;

    public ProgressInputStream(InputStream in, LongWork work) {
        super(in);
        this.work = work;
    }

    @Override
    public int read() throws IOException {
        int b = in.read();
        if (b >= 0) work.advance(0, 1);
        return b;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
        int n = in.read(buf, off, len);
        if (n > 0) work.advance(0, n);
        return n;
    }
}
