package io.txfs.sys;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Raw file name bytes for java.nio paths, whatever the JVM's sun.jnu.encoding (also used by the
 * engine for every path into its backing directory). A UnixPath keeps the
 * bytes readdir gave it but decodes them lossily in toString(); its file: URI percent-encodes the
 * raw bytes, and a Path made from such a URI carries them back. That detour costs a stat, so it is
 * taken only when the cheap decoding could have lost something.
 */
public final class RawPaths {
    private static final boolean JNU_UTF8 = "UTF-8".equalsIgnoreCase(System.getProperty("sun.jnu.encoding"));

    private RawPaths() {}

    /** The raw bytes of the last component of a path read from a directory stream. */
    public static byte[] fileName(Path p) {
        String s = p.getFileName().toString();
        if (JNU_UTF8 && s.indexOf('\uFFFD') < 0) {
            return s.getBytes(StandardCharsets.UTF_8);
        }
        byte[] all = absolute(p);
        int slash = all.length - 1;
        while (slash >= 0 && all[slash] != '/') {
            slash--;
        }
        return Arrays.copyOfRange(all, slash + 1, all.length);
    }

    /** The raw bytes of an absolute form of {@code p}. */
    public static byte[] absolute(Path p) {
        Path abs = p.toAbsolutePath();
        String s = abs.toString();
        if (JNU_UTF8 && s.indexOf('\uFFFD') < 0) {
            return s.getBytes(StandardCharsets.UTF_8);
        }
        byte[] b = percentDecode(abs.toUri().getRawPath());
        int n = b.length;
        while (n > 1 && b[n - 1] == '/') {
            n--;
        }
        return Arrays.copyOf(b, n);
    }

    /** {@code root} joined with the relative path {@code relBytes} ("a/b", no leading slash), exactly. */
    public static Path resolve(Path root, byte[] rootBytes, byte[] relBytes) {
        if (relBytes.length == 0) {
            return root;
        }
        String s = utf8OrNull(relBytes);
        if (JNU_UTF8 && s != null) {
            return root.resolve(s);
        }
        return Path.of(URI.create("file://" + percentEncode(join(rootBytes, relBytes, false))));
    }

    /** root/rel as raw bytes, optionally NUL-terminated for libc. */
    public static byte[] join(byte[] rootBytes, byte[] relBytes, boolean nul) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(rootBytes.length + relBytes.length + 2);
        out.writeBytes(rootBytes);
        if (relBytes.length > 0) {
            if (rootBytes.length == 0 || rootBytes[rootBytes.length - 1] != '/') {
                out.write('/');
            }
            out.writeBytes(relBytes);
        }
        if (nul) {
            out.write(0);
        }
        return out.toByteArray();
    }

    /** b, NUL-terminated for libc. */
    public static byte[] cString(byte[] b) {
        return Arrays.copyOf(b, b.length + 1);
    }

    private static String percentEncode(byte[] b) {
        StringBuilder sb = new StringBuilder(b.length * 3);
        for (byte x : b) {
            int u = x & 0xff;
            boolean plain = (u >= 'a' && u <= 'z')
                    || (u >= 'A' && u <= 'Z')
                    || (u >= '0' && u <= '9')
                    || u == '/'
                    || u == '-'
                    || u == '.'
                    || u == '_'
                    || u == '~';
            if (plain) {
                sb.append((char) u);
            } else {
                sb.append('%')
                        .append(Character.toUpperCase(Character.forDigit(u >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(u & 15, 16)));
            }
        }
        return sb.toString();
    }

    private static byte[] percentDecode(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                out.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                out.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
            }
        }
        return out.toByteArray();
    }

    /** The text of b when it is valid UTF-8, else null. */
    private static String utf8OrNull(byte[] b) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
