package io.txfs.core.model;

/**
 * Which backing file a record's base content came from, and which content of it: dev, ino, size and
 * mtime as lstat reports them, plus {@code gen}, the version of the flush that last wrote the file's
 * content (0: the file as first listed). The lstat part alone cannot tell contents apart: a flush keeps
 * a patched file's inode, restores its mtime (cp -p, tar and rsync set old mtimes), and a file a flush
 * creates may get the inode number of one it deleted, with the same size and mtime. gen is txfs's own
 * count, never read from disk, so two identities are equal only if txfs knows them to be the same
 * content (docs/engine.md, "How old content stays reachable for snapshots"). ctime is deliberately
 * not part of it: flush's own renames and chmods change ctime without changing content.
 */
public record Identity(long dev, long ino, long size, long mtimeNs, long gen) {
    /** An lstat result: the file's identity as far as the disk can tell (gen unknown, 0). */
    public static Identity onDisk(long dev, long ino, long size, long mtimeNs) {
        return new Identity(dev, ino, size, mtimeNs, 0);
    }

    /** This identity with the flush version that wrote the content. */
    public Identity withGen(long g) {
        return new Identity(dev, ino, size, mtimeNs, g);
    }

    /** True if lstat attributes read from disk are those this identity recorded (gen is not on disk). */
    public boolean matchesDisk(Identity disk) {
        return dev == disk.dev && ino == disk.ino && size == disk.size && mtimeNs == disk.mtimeNs;
    }
}
