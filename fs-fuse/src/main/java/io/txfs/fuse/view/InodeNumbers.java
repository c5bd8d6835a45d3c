package io.txfs.fuse.view;

import io.txfs.core.Engine;
import io.txfs.core.model.NodeAttributes;
import io.txfs.core.tree.View;
import io.txfs.fuse.Attr;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The inode numbers a view's processes see (st_ino, d_ino). By default txfs's node numbers: stable for a
 * file across publish, flush and restart, but a file a run creates gets a number no file had before, so two
 * runs of one build show different numbers. A view begun with {@code --inodes path} sees numbers derived from
 * each file's path instead (docs/reproducibility.md, "Deterministic metadata"): the same tree gives the same
 * numbers in every run, for tools that record them (cpio, some tar formats, {@code find -printf %i}). The
 * number follows the path the file has when its attributes are answered (a renamed file gets its new path's);
 * a file with several names has its first name's; one with none (removed, still open) keeps its node number.
 */
final class InodeNumbers {
    private static final byte[] DOMAIN = "txfs path inode\0".getBytes(StandardCharsets.US_ASCII);

    private final Engine engine;

    InodeNumbers(Engine engine) {
        this.engine = engine;
    }

    /** The attributes of node {@code a} as the processes of {@code v} see them. */
    Attr attr(View v, NodeAttributes a) {
        Attr f = AttrMapping.toFuse(a);
        if (!v.pathInodes) return f;
        return new Attr(
                ino(v, a.ino()),
                f.size(),
                f.blocks(),
                f.atimeSec(),
                f.atimeNsec(),
                f.mtimeSec(),
                f.mtimeNsec(),
                f.ctimeSec(),
                f.ctimeNsec(),
                f.mode(),
                f.nlink(),
                f.uid(),
                f.gid(),
                f.rdev(),
                f.blksize());
    }

    /** The inode number the processes of {@code v} see for node {@code ino}. */
    long ino(View v, long ino) {
        if (!v.pathInodes || ino == Engine.ROOT) return ino;
        byte[] path;
        try {
            path = engine.pathBytes(v, ino);
        } catch (RuntimeException gone) {
            return ino;
        }
        return path == null ? ino : ofPath(path);
    }

    /** A path's number: 63 bits of SHA-256 over the path bytes, never 0 or the root's 1. */
    static long ofPath(byte[] path) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
        sha.update(DOMAIN);
        byte[] d = sha.digest(path);
        long n = 0;
        for (int i = 0; i < 8; i++) n = n << 8 | (d[i] & 0xff);
        n &= Long.MAX_VALUE;
        return n < 2 ? n + 2 : n;
    }
}
