package io.txfs.client;

import java.util.List;

/**
 * A view's pending changes as a canonical delta: one entry per changed path sorted by path bytes, and the
 * delta id, equal for two views that made the same change from the same state in whatever order.
 * {@code objects} names the hash of the ids ({@code sha1} or {@code sha256}).
 */
public record Diff(String view, String objects, String deltaId, List<DeltaChange> changes) {
    public Diff {
        changes = List.copyOf(changes);
    }
}
