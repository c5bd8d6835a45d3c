package io.txfs.core.format;

import java.util.Arrays;

/** One name of a node: (parent directory, name). */
public record EntryName(long parent, byte[] name) {
    @Override
    public boolean equals(Object o) {
        return o instanceof EntryName l && l.parent == parent && Arrays.equals(l.name, name);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(parent) * 31 + Arrays.hashCode(name);
    }
}
