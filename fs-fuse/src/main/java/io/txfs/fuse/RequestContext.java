package io.txfs.fuse;

/** Who made a request: the caller's fsuid, fsgid and thread id, as the kernel reports them. */
public record RequestContext(long unique, int uid, int gid, int pid) {}
