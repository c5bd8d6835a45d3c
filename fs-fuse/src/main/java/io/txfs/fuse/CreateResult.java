package io.txfs.fuse;

/** The entry of a created file and its open handle. */
public record CreateResult(Entry entry, OpenResult open) {}
