package io.txfs.fuse;

/**
 * A looked-up name: the node id the kernel will address it by (each Entry returned from lookup,
 * mknod, mkdir, symlink, link, create or readdirplus counts one lookup, undone by forget),
 * its generation, attributes, and cache timeouts. A node id of 0 in a LOOKUP reply is a
 * cacheable negative entry.
 */
public record Entry(long nodeId, long generation, Attr attr, long entryValidNanos, long attrValidNanos) {}
