package io.txfs.client;

/** One side of a changed path in {@code status}: its type, size and permission bits (07777). */
public record EntryState(FileType type, long size, int permissions) {}
