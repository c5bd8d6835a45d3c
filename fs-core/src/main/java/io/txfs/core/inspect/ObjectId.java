package io.txfs.core.inspect;

import java.util.Arrays;
import java.util.HexFormat;

/** A hash: a git object id or one of txfs's extended ids. Shown as lower-case hex. */
public final class ObjectId {
    private final byte[] bytes;

    public ObjectId(byte[] bytes) {
        this.bytes = bytes.clone();
    }

    public static ObjectId fromHex(String hex) {
        return new ObjectId(HexFormat.of().parseHex(hex));
    }

    public byte[] bytes() {
        return bytes.clone();
    }

    byte[] rawBytes() {
        return bytes;
    }

    public String hex() {
        return HexFormat.of().formatHex(bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ObjectId id && Arrays.equals(bytes, id.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return hex();
    }
}
