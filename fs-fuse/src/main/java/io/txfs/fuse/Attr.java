package io.txfs.fuse;

/**
 * File attributes as the kernel's {@code struct fuse_attr} carries them. {@code rdev} is in the
 * kernel's 32-bit new_encode_dev() form.
 */
public record Attr(
        long ino,
        long size,
        long blocks,
        long atimeSec,
        int atimeNsec,
        long mtimeSec,
        int mtimeNsec,
        long ctimeSec,
        int ctimeNsec,
        int mode,
        int nlink,
        int uid,
        int gid,
        int rdev,
        int blksize) {}
