package io.txfs.core.model;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Set;

/** What became visibly different in a view: node attributes/content and directory entries to invalidate. */
public record ChangeSet(Set<Long> inodes, Set<Entry> entries) {
    /** A directory entry (parent inode, name). */
    public record Entry(long parent, byte[] name) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Entry e && e.parent == parent && Arrays.equals(e.name, name);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(parent) * 31 + Arrays.hashCode(name);
        }

        @Override
        public String toString() {
            return parent + "/" + new String(name, StandardCharsets.UTF_8);
        }
    }

    public boolean isEmpty() {
        return inodes.isEmpty() && entries.isEmpty();
    }

    public static ChangeSet empty() {
        return new ChangeSet(Set.of(), Set.of());
    }
}
