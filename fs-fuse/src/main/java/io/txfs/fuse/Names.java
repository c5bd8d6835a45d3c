package io.txfs.fuse;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * File names are bytes on Linux. These convert them to Strings and back without loss: valid UTF-8
 * decodes as usual; each byte of an invalid sequence becomes the lone surrogate U+DC00+byte (as
 * Python's surrogateescape does), and encoding turns such surrogates back into the original byte.
 */
public final class Names {
    private Names() {}

    public static String decode(byte[] b) {
        return decode(b, 0, b.length);
    }

    public static String decode(byte[] b, int off, int len) {
        boolean ascii = true;
        for (int i = off; i < off + len; i++) {
            if (b[i] < 0) {
                ascii = false;
                break;
            }
        }
        if (ascii) {
            return new String(b, off, len, StandardCharsets.ISO_8859_1);
        }
        StringBuilder sb = new StringBuilder(len);
        int i = off;
        int end = off + len;
        while (i < end) {
            int c = b[i] & 0xff;
            int n = c < 0x80
                    ? 1
                    : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
            int cp = valid(b, i, end, n);
            if (cp < 0) {
                sb.append((char) (0xdc00 | c));
                i++;
            } else {
                sb.appendCodePoint(cp);
                i += n;
            }
        }
        return sb.toString();
    }

    /** The code point of the n-byte sequence at i, or -1 if it is not well-formed UTF-8. */
    private static int valid(byte[] b, int i, int end, int n) {
        if (n == 0 || i + n > end) {
            return -1;
        }
        int c = b[i] & 0xff;
        if (n == 1) {
            return c;
        }
        int cp = c & (0x7f >> n);
        for (int k = 1; k < n; k++) {
            int cc = b[i + k] & 0xff;
            if ((cc & 0xc0) != 0x80) {
                return -1;
            }
            cp = (cp << 6) | (cc & 0x3f);
        }
        if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff))) {
            return -1;
        }
        return cp;
    }

    public static byte[] encode(String s) {
        boolean plain = true;
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch >= 0xdc80 && ch <= 0xdcff) {
                plain = false;
                break;
            }
        }
        if (plain) {
            return s.getBytes(StandardCharsets.UTF_8);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (Character.isHighSurrogate(ch) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                byte[] pair = s.substring(i, i + 2).getBytes(StandardCharsets.UTF_8);
                out.write(pair, 0, pair.length);
                i++;
            } else if (ch >= 0xdc80 && ch <= 0xdcff) {
                out.write(ch & 0xff);
            } else {
                byte[] one = String.valueOf(ch).getBytes(StandardCharsets.UTF_8);
                out.write(one, 0, one.length);
            }
        }
        return out.toByteArray();
    }

    /** {@link #encode} followed by a NUL: a C string for libc calls. */
    public static byte[] cstring(String s) {
        return cstring(encode(s));
    }

    /** The name's bytes with the NUL a libc call needs after them. */
    public static byte[] cstring(byte[] b) {
        byte[] c = new byte[b.length + 1];
        System.arraycopy(b, 0, c, 0, b.length);
        return c;
    }
}
