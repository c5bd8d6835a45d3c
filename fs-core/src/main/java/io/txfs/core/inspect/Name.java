package io.txfs.core.inspect;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A name as raw bytes: a directory entry name ({@link #of}: never empty, no '/', no NUL, not "." or
 * "..") or an extended attribute name ({@link #xattr}: never empty, no NUL).
 */
public final class Name implements Comparable<Name> {
    private final byte[] bytes;

    private Name(byte[] bytes) {
        this.bytes = bytes;
    }

    public static Name of(byte[] bytes) {
        if (bytes.length == 0) {
            throw new IllegalArgumentException("empty name");
        }
        for (byte b : bytes) {
            if (b == '/' || b == 0) {
                throw new IllegalArgumentException("name contains '/' or NUL: " + Bytes.display(bytes));
            }
        }
        if (isDotOrDotDot(bytes)) {
            throw new IllegalArgumentException("name is '.' or '..'");
        }
        return new Name(bytes.clone());
    }

    /** An extended attribute name: any bytes but NUL ("user.a/b" is a valid xattr name). */
    public static Name xattr(byte[] bytes) {
        if (bytes.length == 0) {
            throw new IllegalArgumentException("empty xattr name");
        }
        for (byte b : bytes) {
            if (b == 0) {
                throw new IllegalArgumentException("xattr name contains NUL");
            }
        }
        return new Name(bytes.clone());
    }

    public static Name xattr(String name) {
        return xattr(name.getBytes(StandardCharsets.UTF_8));
    }

    public static Name of(String name) {
        return of(name.getBytes(StandardCharsets.UTF_8));
    }

    static boolean isDotOrDotDot(byte[] b) {
        return (b.length == 1 && b[0] == '.') || (b.length == 2 && b[0] == '.' && b[1] == '.');
    }

    public byte[] bytes() {
        return bytes.clone();
    }

    int length() {
        return bytes.length;
    }

    byte[] rawBytes() {
        return bytes;
    }

    @Override
    public int compareTo(Name o) {
        return Arrays.compareUnsigned(bytes, o.bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Name n && Arrays.equals(bytes, n.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return Bytes.display(bytes);
    }

    /** Helpers for raw byte strings that may or may not be UTF-8. */
    public static final class Bytes {
        private Bytes() {}

        /** The UTF-8 decoding of {@code b}, or null when b is not valid UTF-8. */
        public static String utf8OrNull(byte[] b) {
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

        /** Human-readable form: UTF-8 where valid, otherwise bytes >= 0x80 as \xNN. For messages only. */
        public static String display(byte[] b) {
            String s = utf8OrNull(b);
            if (s != null) {
                return s;
            }
            StringBuilder sb = new StringBuilder();
            for (byte x : b) {
                int u = x & 0xff;
                if (u >= 0x20 && u < 0x7f && u != '\\') {
                    sb.append((char) u);
                } else {
                    sb.append(String.format("\\x%02x", u));
                }
            }
            return sb.toString();
        }
    }
}
