package io.txfs.core.progress;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/** Counts the bytes written through it into a {@link LongWork} (an export's tar, an import's spooled layer). */
public final class ProgressOutputStream extends FilterOutputStream {
    private final LongWork work;

    public ProgressOutputStream(OutputStream out, LongWork work) {
        super(out);
        this.work = work;
    }

    @Override
    public void write(int b) throws IOException {
        out.write(b);
        work.advance(0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
        work.advance(0, len);
    }
}
