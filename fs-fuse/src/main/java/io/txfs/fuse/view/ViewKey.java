package io.txfs.fuse.view;

/** A node as the engine knows it: an inode of one view. Each key has its own kernel node id. */
record ViewKey(String view, long ino) {}
