package io.txfs.client;

import java.util.List;
import java.util.Optional;

/**
 * A publish: how much of the view became the published version {@code publishedVersion} ({@code changedPaths}
 * as the daemon counts them: directory entries and files changed in place, so a parent directory whose
 * entries changed counts too, unlike in {@link ViewStatus}). Paths are relative to the mount's root. {@code overridden}
 * lists the paths where a forced publish replaced another view's change, {@code kept} where it kept another's
 * (docs/publish-force.md); both empty otherwise. {@code removed}: the view went with it (nobody named it and
 * nothing runs in it). A view begun inside another publishes into it: {@code mergedInto} names it.
 */
public record PublishResult(
        String view,
        long changedPaths,
        long changedBytes,
        long publishedVersion,
        List<String> overridden,
        List<String> kept,
        boolean removed,
        Optional<String> mergedInto) {
    public PublishResult {
        overridden = List.copyOf(overridden);
        kept = List.copyOf(kept);
    }
}
