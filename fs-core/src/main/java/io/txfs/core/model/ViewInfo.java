package io.txfs.core.model;

/** A view as listed: name, isolation, snapshot version, owner, creation time, pending bytes, whether fsyncs sync. */
public record ViewInfo(
        String name,
        Isolation isolation,
        long snapshotVersion,
        int ownerUid,
        long createdNs,
        long pendingBytes,
        boolean syncs) {}
