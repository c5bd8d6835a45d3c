package io.txfs.core;

/**
 * Which backing file a record's base content came from. ctime is deliberately not part of it: flush's
 * own renames and chmods change ctime without changing content.
 */
record Identity(long dev, long ino, long size, long mtimeNs) {}
