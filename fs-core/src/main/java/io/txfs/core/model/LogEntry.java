package io.txfs.core.model;

/** One published-log record: a publish or a flush. */
public record LogEntry(long version, String kind, String view, long timeNs, long paths, long bytes) {}
