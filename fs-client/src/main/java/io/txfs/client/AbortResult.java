package io.txfs.client;

/** An abort: the view is gone, with the pending changes it held. */
public record AbortResult(String view, long discardedPaths) {}
