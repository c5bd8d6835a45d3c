package io.txfs.fuse;

/** Attributes and how long the kernel may cache them. */
public record AttrReply(Attr attr, long attrValidNanos) {}
