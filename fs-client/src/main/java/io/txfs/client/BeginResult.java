package io.txfs.client;

import java.util.Optional;

/** A view {@code begin} entered: made now or already there, and the published version it reads. */
public record BeginResult(
        String view, boolean created, Isolation isolation, long snapshotVersion, Optional<String> parent) {}
