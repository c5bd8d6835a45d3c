package io.txfs.core.model;

import java.time.Duration;

/**
 * How long and how many operations of the shared default view are grouped into one published version
 * (docs/views.md, "Group commit"): a group is published {@code window} after its first operation, or
 * at its {@code maxOps}th operation, whichever comes first.
 */
public record GroupPolicy(Duration window, int maxOps) {
    /** Longer would make others wait for changes they cannot see otherwise (a view that observes publishes at once). */
    public static final Duration MAX_WINDOW = Duration.ofSeconds(10);

    public static final GroupPolicy DEFAULT = new GroupPolicy(Duration.ofMillis(100), 1000);

    public GroupPolicy {
        if (window.isNegative() || window.isZero() || window.compareTo(MAX_WINDOW) > 0) {
            throw new IllegalArgumentException("group window must be more than 0 and at most " + MAX_WINDOW.toMillis()
                    + " ms, not " + window.toMillis() + " ms");
        }
        if (maxOps < 1 || maxOps > 1_000_000) {
            throw new IllegalArgumentException("group size must be 1 to 1000000 operations, not " + maxOps);
        }
    }
}
