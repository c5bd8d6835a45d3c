package io.txfs.core.inspect.oci;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * commons-compress names its PAX extended-header entries after the JVM's user.name, which would make
 * the same layer differ between users. This filter sees the tar stream block by block and blanks the
 * uname/gname fields of 'x' and 'g' headers (fixing their checksums); everything else passes as is.
 */
final class PaxOwnerScrubber extends FilterOutputStream {
    private static final int BLOCK = 512;
    private final byte[] block = new byte[BLOCK];
    private int filled;
    private long dataBlocksLeft;

    PaxOwnerScrubber(OutputStream out) {
        super(out);
    }

    @Override
    public void write(int b) throws IOException {
        block[filled++] = (byte) b;
        if (filled == BLOCK) {
            emit();
        }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            int n = Math.min(len, BLOCK - filled);
            System.arraycopy(b, off, block, filled, n);
            filled += n;
            off += n;
            len -= n;
            if (filled == BLOCK) {
                emit();
            }
        }
    }

    private void emit() throws IOException {
        if (dataBlocksLeft > 0) {
            dataBlocksLeft--;
        } else if (!isZero(block)) {
            byte type = block[156];
            if (type == 'x' || type == 'g') {
                Arrays.fill(block, 265, 329, (byte) 0);
                writeChecksum(block);
            }
            long size = TarHeaders.parseOctal(block, 124, 12);
            dataBlocksLeft = (size + BLOCK - 1) / BLOCK;
        }
        out.write(block, 0, BLOCK);
        filled = 0;
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() throws IOException {
        if (filled != 0) {
            out.write(block, 0, filled);
            filled = 0;
        }
        super.close();
    }

    static boolean isZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    private static void writeChecksum(byte[] h) {
        Arrays.fill(h, 148, 156, (byte) ' ');
        long sum = TarHeaders.checksum(h);
        byte[] digits = String.format("%06o", sum).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(digits, 0, h, 148, 6);
        h[154] = 0;
        h[155] = ' ';
    }
}
