package io.txfs.fuse.passthrough;

import static io.txfs.fuse.passthrough.LibcResults.check;
import static io.txfs.fuse.passthrough.LibcResults.errno;
import static io.txfs.fuse.passthrough.LibcResults.proc;
import static io.txfs.sys.Sys.O_CLOEXEC;
import static io.txfs.sys.Sys.O_DIRECTORY;
import static io.txfs.sys.Sys.O_RDONLY;

import io.txfs.fuse.DirectoryFiller;
import io.txfs.fuse.Entry;
import io.txfs.fuse.FuseErrnoException;
import io.txfs.fuse.OpenResult;
import io.txfs.fuse.RequestContext;
import io.txfs.sys.Errno;
import io.txfs.sys.LibC;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongConsumer;

/**
 * The passthrough's open directories: each handle is a real descriptor of the directory, opened as the
 * caller, listed once per rewind ({@link DirHandle}). readdirplus looks each entry up as the caller
 * through the filesystem's own lookup, so an entry is counted exactly as a lookup would count it.
 */
final class PassthroughDirectories {
    private static final LibC C = LibC.INSTANCE;

    /** The filesystem's lookup of one name in a directory descriptor: one kernel lookup counted. */
    interface Lookup {
        Entry at(int dirFd, byte[] name) throws FuseErrnoException;
    }

    private final Map<Long, DirHandle> handles = new ConcurrentHashMap<>();
    private final CallerCredentials creds;
    private final ThreadLocal<ByteBuffer> listingBuf;
    private final Lookup lookup;
    /** Gives back one lookup of a node the kernel did not take (readdirplus's buffer was full). */
    private final LongConsumer forgetOne;

    PassthroughDirectories(
            CallerCredentials creds, ThreadLocal<ByteBuffer> listingBuf, Lookup lookup, LongConsumer forgetOne) {
        this.creds = creds;
        this.listingBuf = listingBuf;
        this.lookup = lookup;
        this.forgetOne = forgetOne;
    }

    /** Opens the directory that {@code dirFd} (an O_PATH descriptor) is on, as the caller. */
    OpenResult open(RequestContext ctx, int dirFd) throws FuseErrnoException {
        int fd;
        boolean as = creds.enter(ctx);
        try {
            fd = C.open(proc(dirFd), O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
            if (fd < 0) {
                throw errno();
            }
        } finally {
            creds.leave(as);
        }
        handles.put((long) fd, new DirHandle(fd));
        return OpenResult.of(fd);
    }

    private DirHandle handle(long fh, long offset) throws FuseErrnoException {
        DirHandle h = handles.get(fh);
        if (h == null) {
            throw new FuseErrnoException(Errno.EBADF);
        }
        h.load(offset == 0, listingBuf.get());
        return h;
    }

    void read(long fh, long offset, DirectoryFiller filler) throws FuseErrnoException {
        DirHandle.Listing l = handle(fh, offset).listing();
        for (int i = (int) offset; i < l.size(); i++) {
            if (!filler.add(l.name(i), l.ino(i), l.type(i), i + 1)) {
                return;
            }
        }
    }

    void readPlus(RequestContext ctx, long fh, long offset, DirectoryFiller filler) throws FuseErrnoException {
        DirHandle h = handle(fh, offset);
        DirHandle.Listing l = h.listing();
        boolean as = creds.enter(ctx);
        try {
            fillPlus(h, l, offset, filler);
        } finally {
            creds.leave(as);
        }
    }

    private static boolean isDotOrDotDot(byte[] name) {
        return (name.length == 1 && name[0] == '.') || (name.length == 2 && name[0] == '.' && name[1] == '.');
    }

    /** Runs as the caller: each entry's lookup is one the caller could make. */
    private void fillPlus(DirHandle h, DirHandle.Listing l, long offset, DirectoryFiller filler) {
        for (int i = (int) offset; i < l.size(); i++) {
            byte[] name = l.name(i);
            if (isDotOrDotDot(name)) {
                if (!filler.add(name, l.ino(i), l.type(i), i + 1)) {
                    return;
                }
                continue;
            }
            Entry e;
            try {
                e = lookup.at(h.fd(), name);
            } catch (FuseErrnoException unreachable) {
                // removed since the listing was taken, or not searchable by the caller: a name only
                e = null;
            }
            if (e == null) {
                if (!filler.add(name, l.ino(i), l.type(i), i + 1)) {
                    return;
                }
                continue;
            }
            if (!filler.addPlus(name, e, i + 1)) {
                forgetOne.accept(e.nodeId());
                return;
            }
        }
    }

    void release(long fh) {
        DirHandle h = handles.remove(fh);
        if (h != null) {
            C.close(h.fd());
        }
    }

    void fsync(long fh, boolean datasync) throws FuseErrnoException {
        DirHandle h = handles.get(fh);
        if (h == null) {
            throw new FuseErrnoException(Errno.EBADF);
        }
        check(datasync ? C.fdatasync(h.fd()) : C.fsync(h.fd()));
    }

    void closeAll() {
        for (DirHandle h : handles.values()) {
            C.close(h.fd());
        }
        handles.clear();
    }
}
