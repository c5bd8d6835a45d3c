package io.txfs.client;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code status} of a view: its pending changes, and the versions it and the mount stand at. A view reads
 * published version {@code snapshotVersion}; the mount has published up to {@code publishedVersion} and
 * flushed up to {@code flushedVersion}.
 */
public record ViewStatus(
        String view,
        Isolation isolation,
        long snapshotVersion,
        long publishedVersion,
        long flushedVersion,
        long changedPaths,
        long changedBytes,
        List<StatusEntry> entries) {
    public ViewStatus {
        entries = List.copyOf(entries);
    }

    /** Each changed path with its kind, in the daemon's order. */
    public Map<String, ChangeKind> changes() {
        Map<String, ChangeKind> m = new LinkedHashMap<>();
        entries.forEach(e -> m.put(e.path(), e.kind()));
        return m;
    }
}
