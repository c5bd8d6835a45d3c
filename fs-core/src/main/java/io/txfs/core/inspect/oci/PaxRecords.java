package io.txfs.core.inspect.oci;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * PAX extended-header records ("LEN KEY=VALUE\n") with values as raw bytes. commons-compress reads
 * and writes PAX values as UTF-8 text, which cannot carry non-UTF-8 names (GNU tar's
 * hdrcharset=BINARY) or binary xattr values; txfs writes and reads these records itself.
 */
final class PaxRecords {
    private PaxRecords() {}

    static byte[] encode(Map<String, byte[]> records) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Map.Entry<String, byte[]> r : records.entrySet()) {
            byte[] key = r.getKey().getBytes(StandardCharsets.UTF_8);
            int body = key.length + r.getValue().length + 3; // ' ', '=', '\n'
            int len = body + Integer.toString(body).length();
            if (Integer.toString(len).length() > Integer.toString(body).length()) {
                len++;
            }
            out.writeBytes(Integer.toString(len).getBytes(StandardCharsets.US_ASCII));
            out.write(' ');
            out.writeBytes(key);
            out.write('=');
            out.writeBytes(r.getValue());
            out.write('\n');
        }
        return out.toByteArray();
    }

    /** The records in order, or null when the payload is malformed. */
    static Map<String, byte[]> parse(byte[] p) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        int i = 0;
        while (i < p.length) {
            int sp = i;
            long len = 0;
            while (sp < p.length && p[sp] >= '0' && p[sp] <= '9' && len < Integer.MAX_VALUE) {
                len = len * 10 + (p[sp] - '0');
                sp++;
            }
            if (sp == i
                    || sp >= p.length
                    || p[sp] != ' '
                    || len <= sp - i + 2
                    || i + len > p.length
                    || p[(int) (i + len - 1)] != '\n') {
                // Some writers pad the payload with NULs after the last record.
                if (allZero(p, i)) {
                    return out;
                }
                return null;
            }
            int end = (int) (i + len - 1);
            int eq = sp + 1;
            while (eq < end && p[eq] != '=') {
                eq++;
            }
            if (eq == end) {
                return null;
            }
            out.put(new String(p, sp + 1, eq - sp - 1, StandardCharsets.UTF_8), Arrays.copyOfRange(p, eq + 1, end));
            i = end + 1;
        }
        return out;
    }

    private static boolean allZero(byte[] p, int from) {
        for (int i = from; i < p.length; i++) {
            if (p[i] != 0) {
                return false;
            }
        }
        return true;
    }
}
