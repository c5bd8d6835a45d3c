package io.txfs.core.inspect;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A path relative to a tree's root, as raw bytes joined by '/'. The root is the empty path.
 * Paths order by unsigned byte comparison of that joined form, which is the canonical order of
 * deltas and tar entries (a parent always sorts before its descendants).
 */
public final class TreePath implements Comparable<TreePath> {
    private static final TreePath ROOT = new TreePath(new byte[0]);
    private final byte[] bytes;

    private TreePath(byte[] bytes) {
        this.bytes = bytes;
    }

    public static TreePath root() {
        return ROOT;
    }

    /** Parses "a/b/c" (UTF-8); "" is the root. Rejects empty, "." and ".." components. */
    public static TreePath of(String path) {
        return ofBytes(path.getBytes(StandardCharsets.UTF_8));
    }

    /** Parses raw bytes "a/b/c"; empty is the root. Rejects empty, "." and ".." components and NUL. */
    public static TreePath ofBytes(byte[] path) {
        if (path.length == 0) {
            return ROOT;
        }
        TreePath p = ROOT;
        int start = 0;
        for (int i = 0; i <= path.length; i++) {
            if (i == path.length || path[i] == '/') {
                p = p.resolve(Name.of(Arrays.copyOfRange(path, start, i)));
                start = i + 1;
            }
        }
        return p;
    }

    public TreePath resolve(Name name) {
        byte[] n = name.rawBytes();
        if (bytes.length == 0) {
            return new TreePath(n.clone());
        }
        byte[] out = Arrays.copyOf(bytes, bytes.length + 1 + n.length);
        out[bytes.length] = '/';
        System.arraycopy(n, 0, out, bytes.length + 1, n.length);
        return new TreePath(out);
    }

    public TreePath resolve(String relative) {
        TreePath p = this;
        for (Name n : TreePath.of(relative).names()) {
            p = p.resolve(n);
        }
        return p;
    }

    public boolean isRoot() {
        return bytes.length == 0;
    }

    /** The parent; the root has none. */
    public TreePath parent() {
        requireNotRoot();
        int slash = lastSlash();
        return slash < 0 ? ROOT : new TreePath(Arrays.copyOf(bytes, slash));
    }

    public Name name() {
        requireNotRoot();
        return Name.of(Arrays.copyOfRange(bytes, lastSlash() + 1, bytes.length));
    }

    public List<Name> names() {
        List<Name> out = new ArrayList<>();
        if (isRoot()) {
            return out;
        }
        int start = 0;
        for (int i = 0; i <= bytes.length; i++) {
            if (i == bytes.length || bytes[i] == '/') {
                out.add(Name.of(Arrays.copyOfRange(bytes, start, i)));
                start = i + 1;
            }
        }
        return out;
    }

    /** True when this path is {@code other} or lies below it. */
    public boolean startsWith(TreePath other) {
        if (other.isRoot() || Arrays.equals(bytes, other.bytes)) {
            return true;
        }
        return bytes.length > other.bytes.length
                && bytes[other.bytes.length] == '/'
                && Arrays.equals(bytes, 0, other.bytes.length, other.bytes, 0, other.bytes.length);
    }

    public byte[] bytes() {
        return bytes.clone();
    }

    byte[] rawBytes() {
        return bytes;
    }

    private int lastSlash() {
        for (int i = bytes.length - 1; i >= 0; i--) {
            if (bytes[i] == '/') {
                return i;
            }
        }
        return -1;
    }

    private void requireNotRoot() {
        if (isRoot()) {
            throw new IllegalArgumentException("the root has no parent or name");
        }
    }

    @Override
    public int compareTo(TreePath o) {
        return Arrays.compareUnsigned(bytes, o.bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TreePath p && Arrays.equals(bytes, p.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    /** Human-readable, for messages: UTF-8 where valid, \xNN escapes otherwise; the root is "". */
    @Override
    public String toString() {
        return Name.Bytes.display(bytes);
    }
}
