package io.txfs.core;

/** Fields to change in setattr; null leaves a field as it is. Times in ns since the epoch. */
public record SetAttr(Integer perm, Integer uid, Integer gid, Long size, Long atimeNs, Long mtimeNs) {
    public static SetAttr perm(int perm) {
        return new SetAttr(perm, null, null, null, null, null);
    }

    public static SetAttr owner(int uid, int gid) {
        return new SetAttr(null, uid, gid, null, null, null);
    }

    public static SetAttr size(long size) {
        return new SetAttr(null, null, null, size, null, null);
    }

    public static SetAttr times(Long atimeNs, Long mtimeNs) {
        return new SetAttr(null, null, null, null, atimeNs, mtimeNs);
    }
}
