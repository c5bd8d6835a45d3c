package io.txfs.core;

/**
 * The garbage collector's retention rule (docs/storage-format.md, "Garbage collection"). Every published
 * version v >= min(flushed, head - keepVersions + 1) stays readable (records, and the change records
 * between such versions), besides every version a snapshot view, a pinned handle or a running flush
 * reads. keepVersions 1 (the default) keeps exactly the versions since the last flush; a larger value
 * keeps that many newest versions even across flushes (for tools that diff older publishes);
 * Long.MAX_VALUE keeps every version. auto runs a collection at open and after every flush.
 */
public record GcPolicy(boolean auto, long keepVersions) {
    public static final GcPolicy DEFAULT = new GcPolicy(true, 1);

    public GcPolicy {
        if (keepVersions < 1) throw new IllegalArgumentException("keepVersions must be at least 1 (the head)");
    }

    /** The first version this rule keeps readable. */
    long retainFrom(long head, long flushed) {
        long newest = keepVersions >= head ? 0 : head - keepVersions + 1;
        return Math.min(flushed, newest);
    }
}
