package io.txfs.fuse.view;

import io.txfs.core.model.FileType;
import io.txfs.core.model.FilesystemSpace;
import io.txfs.core.model.NodeAttributes;
import io.txfs.fuse.Attr;
import io.txfs.fuse.StatFs;

/** The engine's attributes as the kernel's struct fuse_attr wants them. */
final class AttrMapping {
    private static final long NS = 1_000_000_000L;
    private static final int BLKSIZE = 4096;

    private AttrMapping() {}

    static Attr toFuse(NodeAttributes a) {
        return new Attr(
                a.ino(),
                a.size(),
                a.blocks(),
                a.atimeNs() / NS,
                (int) (a.atimeNs() % NS),
                a.mtimeNs() / NS,
                (int) (a.mtimeNs() % NS),
                a.ctimeNs() / NS,
                (int) (a.ctimeNs() % NS),
                a.stMode(),
                a.nlink(),
                a.uid(),
                a.gid(),
                encodeDev(a.rdev()),
                BLKSIZE);
    }

    /** The kernel's new_encode_dev() of a 64-bit glibc dev_t (major/minor split as gnu_dev_major/minor). */
    static int encodeDev(long dev) {
        long major = ((dev >>> 8) & 0xfff) | ((dev >>> 32) & ~0xfffL);
        long minor = (dev & 0xff) | ((dev >>> 12) & ~0xffL);
        return (int) ((minor & 0xff) | (major << 8) | ((minor & ~0xffL) << 12));
    }

    /** The inverse: a kernel 32-bit device number as glibc's makedev() builds it. */
    static long decodeDev(int rdev) {
        long major = (rdev & 0xfff00) >>> 8;
        long minor = (rdev & 0xff) | ((rdev >>> 12) & 0xfff00);
        return ((major & 0xfffL) << 8) | ((major & ~0xfffL) << 32) | (minor & 0xffL) | ((minor & ~0xffL) << 12);
    }

    /** d_type for readdir: the S_IFMT bits shifted down. */
    static int direntType(FileType t) {
        return t.bits() >>> 12;
    }

    /** The engine's filesystem statistics as the kernel's struct fuse_kstatfs wants them. */
    static StatFs toFuse(FilesystemSpace s) {
        return new StatFs(
                s.blocks(),
                s.blocksFree(),
                s.blocksAvailable(),
                s.files(),
                s.filesFree(),
                (int) s.blockSize(),
                s.nameMax(),
                (int) s.blockSize());
    }
}
