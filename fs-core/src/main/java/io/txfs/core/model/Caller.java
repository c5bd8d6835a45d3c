package io.txfs.core.model;

/** Who asks: owner of what gets created. */
public record Caller(int uid, int gid) {
    public static final Caller ROOT = new Caller(0, 0);
}
