package io.txfs.core.inspect.normalize;

import java.io.IOException;
import java.io.InputStream;

/** {@code byte-range OFF:LEN}: those bytes read as zeros (a build stamp at a known place); the size stays. */
final class ByteRangeNormalizer implements Normalizer {
    private final long offset;
    private final long length;

    ByteRangeNormalizer(long offset, long length) {
        if (offset < 0 || length < 0) throw new IllegalArgumentException("byte-range needs OFF:LEN, both >= 0");
        this.offset = offset;
        this.length = length;
    }

    static ByteRangeNormalizer parse(String arg) {
        int colon = arg.indexOf(':');
        if (colon < 0) throw new IllegalArgumentException("byte-range needs OFF:LEN, not '" + arg + "'");
        try {
            return new ByteRangeNormalizer(
                    Long.parseLong(arg.substring(0, colon)), Long.parseLong(arg.substring(colon + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("byte-range needs OFF:LEN in decimal, not '" + arg + "'");
        }
    }

    @Override
    public String spelling() {
        return "byte-range " + offset + ":" + length;
    }

    @Override
    public Blob apply(Blob in) {
        if (length == 0 || offset >= in.size()) return in;
        long end = Math.min(in.size(), offset + length);
        return new Blob() {
            @Override
            public long size() {
                return in.size();
            }

            @Override
            public InputStream open() throws IOException {
                return new Zeroing(in.open(), offset, end);
            }
        };
    }

    /** Reads through, with the bytes of [from, to) as zeros. */
    static final class Zeroing extends RewritingInputStream {
        private final long from;
        private final long to;

        Zeroing(InputStream in, long from, long to) {
            super(in);
            this.from = from;
            this.to = to;
        }

        @Override
        void rewrite(byte[] b, int off, int n, long position) {
            long start = Math.max(position, from);
            long stop = Math.min(position + n, to);
            for (long p = start; p < stop; p++) b[off + (int) (p - position)] = 0;
        }
    }
}
