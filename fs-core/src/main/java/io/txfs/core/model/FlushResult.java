package io.txfs.core.model;

/** A completed flush: the published version now in the backing directory and what was written. */
public record FlushResult(long flushedVersion, long paths, long bytes, boolean nothingToDo) {}
