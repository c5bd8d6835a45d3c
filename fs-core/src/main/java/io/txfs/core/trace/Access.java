package io.txfs.core.trace;

/** One entry of a trace: the first time the view did {@code kind} to {@code path} (raw bytes from the root). */
public record Access(AccessKind kind, byte[] path) {}
