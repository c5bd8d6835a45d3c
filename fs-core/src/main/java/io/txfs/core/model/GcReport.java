package io.txfs.core.model;

/**
 * What {@code Engine.gc()} did: the state directory's bytes (store files and chunk data files) before and
 * after, what the collection deleted, and how long it all took.
 */
public record GcReport(long bytesBefore, long bytesAfter, GcResult deleted, long millis) {
    public long reclaimed() {
        return Math.max(0, bytesBefore - bytesAfter);
    }
}
