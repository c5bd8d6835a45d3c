package io.txfs.core;

import java.util.Map;

/**
 * A successful publish. changedPaths/bytes describe the published delta. visibleChanges maps each view
 * whose visible state changed (read-committed views, and the publisher itself when publishes of others
 * landed since its snapshot) to what to invalidate.
 */
public record PublishResult(String view, long version, long changedPaths, long bytes,
                            Map<String, ChangeSet> visibleChanges) {}
