package io.txfs.core.format;

import io.txfs.core.model.Identity;
import io.txfs.core.store.Bytes;
import java.nio.charset.StandardCharsets;

/** Key layouts of every column family (docs/storage-format.md). Versions are stored inverted: newest first. */
public final class Keys {
    private Keys() {}

    public static long inv(long version) {
        return Long.MAX_VALUE - version;
    }

    public static byte[] node(long id, long version) {
        return Bytes.longs(id, inv(version));
    }

    public static byte[] dentName(long parent, byte[] name) {
        byte[] k = new byte[8 + name.length + 1];
        Bytes.putLong(k, 0, parent);
        System.arraycopy(name, 0, k, 8, name.length);
        return k;
    }

    public static byte[] dent(long parent, byte[] name, long version) {
        return Bytes.concat(dentName(parent, name), Bytes.longs(inv(version)));
    }

    /** A key after every version of entry {@code name} of {@code parent} and before the next name's. */
    public static byte[] afterVersions(long parent, byte[] name) {
        return Bytes.concat(dentName(parent, name), new byte[] {-1, -1, -1, -1, -1, -1, -1, -1, 0});
    }

    public static byte[] chunk(long id, long index, long layer) {
        return Bytes.longs(id, index, layer);
    }

    public static byte[] pNode(long view, long id) {
        return Bytes.longs(view, id);
    }

    public static byte[] pDent(long view, long parent, byte[] name) {
        return Bytes.concat(Bytes.longs(view, parent), name);
    }

    public static byte[] conflictKeyE(long parent, byte[] name) {
        byte[] k = new byte[1 + 8 + name.length + 1];
        k[0] = 'E';
        Bytes.putLong(k, 1, parent);
        System.arraycopy(name, 0, k, 9, name.length);
        return k;
    }

    public static byte[] conflictKey(char kind, long id) {
        byte[] k = new byte[9];
        k[0] = (byte) kind;
        Bytes.putLong(k, 1, id);
        return k;
    }

    public static byte[] pKey(long view, byte[] conflictKey) {
        return Bytes.concat(Bytes.longs(view), conflictKey);
    }

    public static byte[] change(long version, int seq) {
        byte[] k = new byte[12];
        Bytes.putLong(k, 0, version);
        k[8] = (byte) (seq >>> 24);
        k[9] = (byte) (seq >>> 16);
        k[10] = (byte) (seq >>> 8);
        k[11] = (byte) seq;
        return k;
    }

    public static byte[] preserved(Identity id, long index) {
        return Bytes.longs(id.dev(), id.ino(), id.size(), id.mtimeNs(), id.gen(), index);
    }

    public static byte[] meta(String name) {
        return name.getBytes(StandardCharsets.UTF_8);
    }
}
