package io.txfs.core.model;

import java.util.List;

/** Names of the fault points; docs/recovery.md says what a crash at each leaves and how open recovers. */
public final class FaultPoint {
    private FaultPoint() {}

    public static final String PUBLISH_BEFORE_BATCH = "publish.before-batch";
    public static final String PUBLISH_AFTER_BATCH = "publish.after-batch";
    public static final String FLUSH_STAGED_FILE = "flush.between-staged-files";
    public static final String FLUSH_BEFORE_PLAN_BATCH = "flush.before-plan-batch";
    public static final String FLUSH_AFTER_PLAN_BATCH = "flush.after-plan-batch";
    public static final String FLUSH_APPLY_STEP = "flush.between-apply-steps";
    public static final String FLUSH_BEFORE_COMPLETION = "flush.before-completion-batch";
    public static final String FLUSH_AFTER_COMPLETION = "flush.after-completion-batch";
    /** After each batch of garbage collection (which runs after a flush and at open). */
    public static final String GC_BATCH = "gc.after-batch";
    /** After a write's chunk bytes reached the data file, before the batch naming them commits (not in ALL: CrashTest has its own case). */
    public static final String WRITE_AFTER_CHUNK_DATA = "write.after-chunk-data";

    /** Before and after the one batch that takes in a change made to the backing directory outside txfs (CrashTest has its own cases). */
    public static final String OUTSIDE_BEFORE_BATCH = "outside.before-batch";

    public static final String OUTSIDE_AFTER_BATCH = "outside.after-batch";

    public static final List<String> ALL = List.of(
            PUBLISH_BEFORE_BATCH,
            PUBLISH_AFTER_BATCH,
            FLUSH_STAGED_FILE,
            FLUSH_BEFORE_PLAN_BATCH,
            FLUSH_AFTER_PLAN_BATCH,
            FLUSH_APPLY_STEP,
            FLUSH_BEFORE_COMPLETION,
            FLUSH_AFTER_COMPLETION,
            GC_BATCH);
}
