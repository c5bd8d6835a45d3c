package io.txfs.fuse;

/** Filesystem statistics as {@code struct fuse_kstatfs} carries them. */
public record StatFs(
        long blocks, long bfree, long bavail, long files, long ffree, int bsize, int namelen, int frsize) {}
