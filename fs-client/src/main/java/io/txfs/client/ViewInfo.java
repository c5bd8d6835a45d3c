package io.txfs.client;

import java.time.Instant;
import java.util.Optional;

/**
 * One view of {@code views}: who owns it, whether a live process works in it, what it reads and holds, and
 * the bytes kept only for its snapshot. {@code parent} names the view it was begun inside, if any.
 */
public record ViewInfo(
        String name,
        Isolation isolation,
        long ownerUid,
        long snapshotVersion,
        long changedPaths,
        long changedBytes,
        long pinnedBytes,
        boolean live,
        Optional<String> parent,
        Instant created) {}
