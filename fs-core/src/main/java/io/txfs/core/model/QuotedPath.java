package io.txfs.core.model;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A path in text output as git writes it with {@code core.quotePath=true}: printable ASCII other than
 * {@code "} and {@code \} as is; any other byte (controls, DEL, non-ASCII, bytes that are not UTF-8) makes
 * the whole path a double-quoted C string, with {@code \a \b \t \n \v \f \r \" \\} and {@code \NNN} (octal)
 * for the rest. {@link #unquote} gives the exact bytes back, so one line always holds one path.
 */
public final class QuotedPath {
    private QuotedPath() {}

    /** The path as a text line shows it: as is when nothing needs quoting, else quoted. */
    public static String quote(byte[] path) {
        if (!needsQuoting(path)) {
            return new String(path, StandardCharsets.US_ASCII);
        }
        StringBuilder b = new StringBuilder(path.length + 8).append('"');
        for (byte x : path) {
            int u = x & 0xff;
            switch (u) {
                case 0x07 -> b.append("\\a");
                case '\b' -> b.append("\\b");
                case '\t' -> b.append("\\t");
                case '\n' -> b.append("\\n");
                case 0x0b -> b.append("\\v");
                case '\f' -> b.append("\\f");
                case '\r' -> b.append("\\r");
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (u < 0x20 || u >= 0x7f) {
                        b.append('\\')
                                .append((char) ('0' + (u >> 6)))
                                .append((char) ('0' + ((u >> 3) & 7)))
                                .append((char) ('0' + (u & 7)));
                    } else {
                        b.append((char) u);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    /** {@link #quote} of a Java string's UTF-8 bytes. */
    public static String quote(String path) {
        return quote(path.getBytes(StandardCharsets.UTF_8));
    }

    /** {@link #quote} of {@code prefix} followed by the path, as git quotes {@code a/NAME} in a diff header. */
    public static String quote(String prefix, byte[] path) {
        byte[] p = prefix.getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[p.length + path.length];
        System.arraycopy(p, 0, all, 0, p.length);
        System.arraycopy(path, 0, all, p.length, path.length);
        return quote(all);
    }

    public static boolean needsQuoting(byte[] path) {
        for (byte x : path) {
            int u = x & 0xff;
            if (u < 0x20 || u >= 0x7f || u == '"' || u == '\\') {
                return true;
            }
        }
        return false;
    }

    /**
     * The bytes of a path as {@link #quote} wrote it: a quoted C string, or the text's UTF-8 bytes when it
     * does not start with {@code "}. IllegalArgumentException for a bad escape or a missing closing quote.
     */
    public static byte[] unquote(String text) {
        if (!text.startsWith("\"")) {
            return text.getBytes(StandardCharsets.UTF_8);
        }
        int end = closingQuote(text, 0);
        if (end != text.length() - 1) {
            throw new IllegalArgumentException("not one quoted path: " + text);
        }
        return unquoteAt(text, 0, end);
    }

    /**
     * The index of the {@code "} that closes the quoted string starting at {@code open}; -1 if it is not
     * closed.
     */
    public static int closingQuote(String text, int open) {
        for (int i = open + 1; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '"') {
                return i;
            }
        }
        return -1;
    }

    /** The bytes of the quoted string between {@code open} and {@code close} (both quotes). */
    public static byte[] unquoteAt(String text, int open, int close) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(close - open);
        for (int i = open + 1; i < close; i++) {
            char c = text.charAt(i);
            if (c != '\\') {
                byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                out.write(b, 0, b.length);
                continue;
            }
            if (++i >= close) {
                throw new IllegalArgumentException("a quoted path ends in a backslash: " + text);
            }
            char e = text.charAt(i);
            switch (e) {
                case 'a' -> out.write(0x07);
                case 'b' -> out.write('\b');
                case 't' -> out.write('\t');
                case 'n' -> out.write('\n');
                case 'v' -> out.write(0x0b);
                case 'f' -> out.write('\f');
                case 'r' -> out.write('\r');
                case '"', '\\' -> out.write(e);
                default -> {
                    if (i + 3 > close || !octal(text, i)) {
                        throw new IllegalArgumentException("bad escape in a quoted path: " + text);
                    }
                    out.write(Integer.parseInt(text.substring(i, i + 3), 8));
                    i += 2;
                }
            }
        }
        return out.toByteArray();
    }

    private static boolean octal(String text, int i) {
        if (i + 3 > text.length()) {
            return false;
        }
        for (int k = i; k < i + 3; k++) {
            if (text.charAt(k) < '0' || text.charAt(k) > '7') {
                return false;
            }
        }
        return text.charAt(i) <= '3';
    }
}
