package io.txfs.core.inspect.oci;

/** The few raw ustar header fields txfs reads itself: before handing a tar to commons-compress. */
final class TarHeaders {
    private TarHeaders() {}

    /** Unsigned sum of the header with the checksum field counted as spaces. */
    static long checksum(byte[] h) {
        long sum = 0;
        for (int i = 0; i < 512; i++) {
            sum += (i >= 148 && i < 156) ? ' ' : (h[i] & 0xff);
        }
        return sum;
    }

    /** An octal field (NUL/space padded), or GNU base-256 when the high bit is set; -1 if malformed. */
    static long parseOctal(byte[] h, int off, int len) {
        if ((h[off] & 0x80) != 0) {
            long v = h[off] & 0x7f;
            for (int i = 1; i < len; i++) {
                if (v > (Long.MAX_VALUE >> 8)) {
                    return -1;
                }
                v = (v << 8) | (h[off + i] & 0xff);
            }
            return v;
        }
        long v = 0;
        boolean digits = false;
        for (int i = off; i < off + len; i++) {
            int c = h[i] & 0xff;
            if (c == 0 || c == ' ') {
                if (digits) {
                    break;
                }
                continue;
            }
            if (c < '0' || c > '7' || v > (Long.MAX_VALUE >> 3)) {
                return -1;
            }
            v = (v << 3) | (c - '0');
            digits = true;
        }
        return v;
    }
}
