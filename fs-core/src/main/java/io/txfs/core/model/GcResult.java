package io.txfs.core.model;

/** What one garbage collection deleted: node and entry versions, chunks, preserved copies (by identity). */
public record GcResult(long nodeVersions, long entryVersions, long chunks, long preservedCopies) {
    public boolean deletedAnything() {
        return nodeVersions + entryVersions + chunks + preservedCopies > 0;
    }
}
