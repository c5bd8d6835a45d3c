package io.txfs.core.model;

/** Fields to change in setattr; null leaves a field as it is. Times in ns since the epoch. */
public record AttributeChange(Integer perm, Integer uid, Integer gid, Long size, Long atimeNs, Long mtimeNs) {
    public static AttributeChange perm(int perm) {
        return new AttributeChange(perm, null, null, null, null, null);
    }

    public static AttributeChange owner(int uid, int gid) {
        return new AttributeChange(null, uid, gid, null, null, null);
    }

    public static AttributeChange size(long size) {
        return new AttributeChange(null, null, null, size, null, null);
    }

    public static AttributeChange times(Long atimeNs, Long mtimeNs) {
        return new AttributeChange(null, null, null, null, atimeNs, mtimeNs);
    }
}
