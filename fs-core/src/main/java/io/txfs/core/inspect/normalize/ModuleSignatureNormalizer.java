package io.txfs.core.inspect.normalize;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * {@code module-signature}: a Linux kernel module without its appended signature. The kernel's
 * {@code scripts/sign-file} appends the PKCS#7 signature ({@code sig_len} bytes), then a
 * {@code struct module_signature} (12 bytes: algo, hash, id_type, signer_len, key_id_len, 3 bytes of
 * padding, {@code sig_len} as a big-endian u32), then the string {@code "~Module signature appended~\n"}
 * (include/linux/module_signature.h). All three are removed; a module without the trailer is unchanged.
 */
final class ModuleSignatureNormalizer implements Normalizer {
    static final byte[] MAGIC = "~Module signature appended~\n".getBytes(StandardCharsets.US_ASCII);
    static final int STRUCT_SIZE = 12;
    /** id_type of a PKCS#7 signature, the only kind the kernel checks (PKEY_ID_PKCS7). */
    static final int PKEY_ID_PKCS7 = 2;

    @Override
    public String spelling() {
        return "module-signature";
    }

    @Override
    public Blob apply(Blob in) throws IOException {
        long size = in.size();
        int tail = STRUCT_SIZE + MAGIC.length;
        if (size < tail) return in;
        byte[] t = in.read(size - tail, tail);
        if (!Arrays.equals(t, STRUCT_SIZE, tail, MAGIC, 0, MAGIC.length)) return in;
        ByteBuffer sig = ByteBuffer.wrap(t, 0, STRUCT_SIZE);
        // as the kernel's mod_check_sig: a PKCS#7 signature names no signer or key outside itself
        if (t[2] != PKEY_ID_PKCS7 || t[0] != 0 || t[1] != 0 || t[3] != 0 || t[4] != 0) {
            throw new NotNormalizableException("module signature trailer of an unknown kind (id_type " + t[2] + ")");
        }
        long sigLen = Integer.toUnsignedLong(sig.getInt(8));
        if (sigLen == 0 || sigLen > size - tail) {
            throw new NotNormalizableException("module signature length " + sigLen + " does not fit the file");
        }
        long kept = size - tail - sigLen;
        return new Blob() {
            @Override
            public long size() {
                return kept;
            }

            @Override
            public InputStream open() throws IOException {
                return new BoundedInputStream(in.open(), kept);
            }
        };
    }

    /** The first {@code limit} bytes of a stream. */
    static final class BoundedInputStream extends InputStream {
        private final InputStream in;
        private long left;

        BoundedInputStream(InputStream in, long limit) {
            this.in = in;
            this.left = limit;
        }

        @Override
        public int read() throws IOException {
            if (left <= 0) return -1;
            int b = in.read();
            if (b >= 0) left--;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) return -1;
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n > 0) left -= n;
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long s = in.skip(Math.min(n, left));
            left -= s;
            return s;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
