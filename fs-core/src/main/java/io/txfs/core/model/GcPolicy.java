package io.txfs.core.model;

/**
 * The garbage collector's retention rule (docs/storage-format.md, "Garbage collection"). The kept
 * versions are: the flushed version, every version from {@link #keepFrom} to head, and every version a
 * snapshot view, a pinned handle or derived work (delta ids) reads. keepVersions N keeps the N newest
 * versions even across flushes (for tools that diff older publishes; Long.MAX_VALUE keeps every
 * version). keepUnflushed M keeps the M newest of the versions published since the last flush: the
 * ones between the flushed version and those are thinned out, so a history of many small publishes
 * without a flush (the shared default's groups) costs what the kept versions read, not every name each
 * version ever had. auto runs a collection at open, after every flush and every keepUnflushed / 2
 * publishes beyond that window.
 */
public record GcPolicy(boolean auto, long keepVersions, long keepUnflushed) {
    /** The newest versions since the last flush that stay readable by default (a few seconds of groups). */
    public static final long DEFAULT_KEEP_UNFLUSHED = 64;

    public static final GcPolicy DEFAULT = new GcPolicy(true, 1);

    public GcPolicy {
        if (keepVersions < 1) throw new IllegalArgumentException("keepVersions must be at least 1 (the head)");
        if (keepUnflushed < 1) throw new IllegalArgumentException("keepUnflushed must be at least 1 (the head)");
    }

    public GcPolicy(boolean auto, long keepVersions) {
        this(auto, keepVersions, DEFAULT_KEEP_UNFLUSHED);
    }

    /** The first version of the versions before and at the last flush that this rule keeps (older tools' range). */
    public long retainFrom(long head, long flushed) {
        return Math.min(flushed, newest(head, keepVersions));
    }

    /**
     * The first version of the newest run of versions that stays readable: the keepVersions newest, or
     * the keepUnflushed newest of those after the flush, whichever reaches further back. Never decreases
     * as head and flushed grow, so a version inside it was kept by every earlier collection.
     */
    public long keepFrom(long head, long flushed) {
        return Math.min(newest(head, keepVersions), Math.max(flushed, newest(head, keepUnflushed)));
    }

    private static long newest(long head, long n) {
        return n >= head ? 0 : head - n + 1;
    }
}
