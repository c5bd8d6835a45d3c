package io.txfs.core.model;

/** One changed path of a pending delta. Types/sizes/perms of the absent side are null. */
public record DeltaEntry(
        String path,
        Kind kind,
        FileType oldType,
        FileType newType,
        Long oldSize,
        Long newSize,
        Integer oldPerm,
        Integer newPerm) {
    public enum Kind {
        ADDED,
        MODIFIED,
        DELETED,
        TYPE_CHANGED,
        METADATA
    }
}
