package io.txfs.core.model;

import java.util.Arrays;
import java.util.Objects;

/**
 * One changed path of a pending delta. Types/sizes/perms of the absent side are null. {@code path} is
 * for messages and lookups by name (a name that is not UTF-8 shows U+FFFD); {@code pathBytes} is the
 * exact path, as the names' bytes joined by '/'.
 */
public record DeltaEntry(
        String path,
        Kind kind,
        FileType oldType,
        FileType newType,
        Long oldSize,
        Long newSize,
        Integer oldPerm,
        Integer newPerm,
        byte[] pathBytes) {
    public enum Kind {
        ADDED,
        MODIFIED,
        DELETED,
        TYPE_CHANGED,
        METADATA
    }

    /** Equal when every component is, the path bytes by content. */
    @Override
    public boolean equals(Object o) {
        return o instanceof DeltaEntry d
                && path.equals(d.path)
                && kind == d.kind
                && oldType == d.oldType
                && newType == d.newType
                && Objects.equals(oldSize, d.oldSize)
                && Objects.equals(newSize, d.newSize)
                && Objects.equals(oldPerm, d.oldPerm)
                && Objects.equals(newPerm, d.newPerm)
                && Arrays.equals(pathBytes, d.pathBytes);
    }

    @Override
    public int hashCode() {
        return Objects.hash(path, kind, oldType, newType, oldSize, newSize, oldPerm, newPerm) * 31
                + Arrays.hashCode(pathBytes);
    }

    @Override
    public String toString() {
        return "DeltaEntry[" + path + " " + kind + " " + oldType + "->" + newType + " size " + oldSize + "->" + newSize
                + " perm " + oldPerm + "->" + newPerm + "]";
    }
}
