package io.txfs.core.tree;

import io.txfs.core.format.DeltaIdRecord;

/**
 * Told about new published versions, so that work derived from them (delta ids of the log) can run
 * outside the publish call and be finished before a flush changes the backing directory that old
 * versions still read from.
 */
public interface VersionHook {
    /** After version {@code version} was published. Called under the publish lock: must not block. */
    void published(long version);

    /**
     * Before a flush of versions (flushed, head] changes the backing directory; called under the publish
     * lock, so no publish runs meanwhile. May block until derived work that reads old versions is done.
     * Returns the delta-id record of the flush, stored with the flush's committed plan, or null.
     */
    DeltaIdRecord beforeFlush(long flushed, long head);

    /**
     * The oldest published version derived work still has to read (Long.MAX_VALUE: none): the collector
     * keeps it and every newer one, however many publishes since the last flush it would otherwise thin.
     */
    default long oldestNeeded() {
        return Long.MAX_VALUE;
    }

    VersionHook NONE = new VersionHook() {
        @Override
        public void published(long version) {}

        @Override
        public DeltaIdRecord beforeFlush(long flushed, long head) {
            return null;
        }
    };
}
