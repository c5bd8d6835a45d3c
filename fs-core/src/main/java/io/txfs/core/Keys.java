package io.txfs.core;

import io.txfs.core.store.Bytes;
import java.nio.charset.StandardCharsets;

/** Key layouts of every column family (docs/storage-format.md). Versions are stored inverted: newest first. */
final class Keys {
    private Keys() {}

    static long inv(long version) {
        return Long.MAX_VALUE - version;
    }

    static byte[] node(long id, long version) {
        return Bytes.longs(id, inv(version));
    }

    static byte[] dentName(long parent, byte[] name) {
        byte[] k = new byte[8 + name.length + 1];
        Bytes.putLong(k, 0, parent);
        System.arraycopy(name, 0, k, 8, name.length);
        return k;
    }

    static byte[] dent(long parent, byte[] name, long version) {
        return Bytes.concat(dentName(parent, name), Bytes.longs(inv(version)));
    }

    /** A key after every version of entry {@code name} of {@code parent} and before the next name's. */
    static byte[] afterVersions(long parent, byte[] name) {
        return Bytes.concat(dentName(parent, name), new byte[] {-1, -1, -1, -1, -1, -1, -1, -1, 0});
    }

    static byte[] chunk(long id, long index, long layer) {
        return Bytes.longs(id, index, layer);
    }

    static byte[] pNode(long view, long id) {
        return Bytes.longs(view, id);
    }

    static byte[] pDent(long view, long parent, byte[] name) {
        return Bytes.concat(Bytes.longs(view, parent), name);
    }

    static byte[] conflictKeyE(long parent, byte[] name) {
        byte[] k = new byte[1 + 8 + name.length + 1];
        k[0] = 'E';
        Bytes.putLong(k, 1, parent);
        System.arraycopy(name, 0, k, 9, name.length);
        return k;
    }

    static byte[] conflictKey(char kind, long id) {
        byte[] k = new byte[9];
        k[0] = (byte) kind;
        Bytes.putLong(k, 1, id);
        return k;
    }

    static byte[] pKey(long view, byte[] conflictKey) {
        return Bytes.concat(Bytes.longs(view), conflictKey);
    }

    static byte[] change(long version, int seq) {
        byte[] k = new byte[12];
        Bytes.putLong(k, 0, version);
        k[8] = (byte) (seq >>> 24);
        k[9] = (byte) (seq >>> 16);
        k[10] = (byte) (seq >>> 8);
        k[11] = (byte) seq;
        return k;
    }

    static byte[] preserved(Identity id, long index) {
        return Bytes.longs(id.dev(), id.ino(), id.size(), id.mtimeNs(), id.gen(), index);
    }

    static byte[] meta(String name) {
        return name.getBytes(StandardCharsets.UTF_8);
    }
}
