package io.txfs.core.inspect.normalize;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A stream that changes some bytes as they pass, knowing where in the file each read starts: the base of
 * the normalizers whose output has the input's length (byte-range, zip-timestamps).
 */
abstract class RewritingInputStream extends FilterInputStream {
    private long position;

    RewritingInputStream(InputStream in) {
        super(in);
    }

    /** Changes {@code b[off, off+n)}, which hold the file's bytes from {@code position} on. */
    abstract void rewrite(byte[] b, int off, int n, long position);

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n <= 0) return n;
        rewrite(b, off, n, position);
        position += n;
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        long s = super.skip(n);
        position += s;
        return s;
    }

    @Override
    public boolean markSupported() {
        return false;
    }
}
