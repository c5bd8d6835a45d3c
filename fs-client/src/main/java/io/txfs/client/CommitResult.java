package io.txfs.client;

/** A commit: the publish, then the flush that made the published state durable in the backing directory. */
public record CommitResult(PublishResult published, long flushedVersion, long flushedPaths, long flushedBytes) {}
