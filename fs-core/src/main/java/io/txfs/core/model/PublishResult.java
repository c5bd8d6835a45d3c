package io.txfs.core.model;

import java.util.List;
import java.util.Map;

/**
 * A successful publish. changedPaths/bytes describe the published delta. visibleChanges maps each view
 * whose visible state changed (read-committed views, and the publisher itself when publishes of others
 * landed since its snapshot) to what to invalidate.
 *
 * <p>Only a forced publish fills the last two (docs/publish-force.md): {@code overridden} lists the paths
 * (from the mount root, "/d/x") where a change another view published since this view's snapshot was
 * replaced by this view's version; {@code kept} lists the paths this view removed or moved away that
 * stay because another view published files inside them.
 */
public record PublishResult(
        String view,
        long version,
        long changedPaths,
        long bytes,
        Map<String, ChangeSet> visibleChanges,
        List<String> overridden,
        List<String> kept) {
    public PublishResult {
        overridden = List.copyOf(overridden);
        kept = List.copyOf(kept);
    }
}
