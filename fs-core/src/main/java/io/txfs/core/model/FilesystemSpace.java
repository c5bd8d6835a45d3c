package io.txfs.core.model;

/** statfs of a view: the backing filesystem's space (the store lives beside it). */
public record FilesystemSpace(
        long blockSize, long blocks, long blocksFree, long blocksAvailable, long files, long filesFree, int nameMax) {}
