package io.txfs.fuse;

import io.txfs.sys.Errno;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * One method per FUSE operation, addressed by node id ({@link #ROOT_ID} is the root), like
 * libfuse's low-level operations. Methods may be called concurrently from several reader threads.
 *
 * <p>Errors: throw {@link FuseErrnoException}; its errno is the reply. Any other exception is a bug
 * and is answered with EIO (and logged once by the dispatcher). The defaults answer ENOSYS, which the
 * kernel remembers for some operations (e.g. it stops sending FLUSH, ACCESS, xattr calls).
 *
 * <p>Buffers handed in or out are views into the reader thread's direct buffers: valid only during
 * the call, never to be kept.
 */
public interface FuseFilesystem {
    long ROOT_ID = 1;

    /**
     * Where the dispatcher counts this filesystem's requests by opcode, or null (the default) for no
     * counting. Asked once, when the mount is set up.
     */
    default RequestCounts requestCounts() {
        return null;
    }

    /** After INIT was negotiated, before any other request is dispatched. */
    default void init(InitInfo info) {}

    /** The session ended (unmount, abort, close). Called once. */
    default void destroy() {}

    Entry lookup(RequestContext ctx, long parent, byte[] name) throws IOException;

    /** The kernel drops {@code nlookup} lookups of {@code node}. No reply; must not throw. */
    default void forget(long node, long nlookup) {}

    /** {@code fh} is the open file's handle when the caller stat'ed an open file (fstat), else -1. */
    AttrReply getattr(RequestContext ctx, long node, long fh) throws IOException;

    default AttrReply setattr(RequestContext ctx, long node, SetAttr attr) throws IOException {
        throw enosys();
    }

    default byte[] readlink(RequestContext ctx, long node) throws IOException {
        throw enosys();
    }

    default Entry symlink(RequestContext ctx, long parent, byte[] name, byte[] target) throws IOException {
        throw enosys();
    }

    /** {@code rdev} is in the kernel's 32-bit device encoding; {@code mode} already has umask applied by the kernel. */
    default Entry mknod(RequestContext ctx, long parent, byte[] name, int mode, int rdev, int umask)
            throws IOException {
        throw enosys();
    }

    default Entry mkdir(RequestContext ctx, long parent, byte[] name, int mode, int umask) throws IOException {
        throw enosys();
    }

    default void unlink(RequestContext ctx, long parent, byte[] name) throws IOException {
        throw enosys();
    }

    default void rmdir(RequestContext ctx, long parent, byte[] name) throws IOException {
        throw enosys();
    }

    /** {@code flags}: 0, {@link #RENAME_NOREPLACE}, {@link #RENAME_EXCHANGE} (or RENAME_WHITEOUT). */
    default void rename(RequestContext ctx, long parent, byte[] name, long newParent, byte[] newName, int flags)
            throws IOException {
        throw enosys();
    }

    int RENAME_NOREPLACE = 1;
    int RENAME_EXCHANGE = 2;
    int RENAME_WHITEOUT = 4;

    default Entry link(RequestContext ctx, long node, long newParent, byte[] newName) throws IOException {
        throw enosys();
    }

    /** {@code flags} are open(2) flags without O_CREAT/O_EXCL/O_NOCTTY (the kernel strips them). */
    /**
     * Whether this filesystem clears setuid/setgid itself (FUSE_HANDLE_KILLPRIV_V2). The kernel then asks
     * for it with {@link #WRITE_KILL_SUIDGID} on writes, {@link SetAttr#FATTR_KILL_SUIDGID} on truncate
     * and chown, and {@link #OPEN_KILL_SUIDGID} on {@code O_TRUNC} opens, each set only when the caller
     * lacks CAP_FSETID (always for chown). Without it the kernel asks with a plain SETATTR(mode) on
     * page-cache writes but not at all on direct-I/O writes.
     */
    default boolean clearsSetIdBits() {
        return false;
    }

    /** {@code write_flags} bit: clear setuid, and setgid if group-executable, before writing. */
    int WRITE_KILL_SUIDGID = 1 << 2;
    /** {@code open_flags} bit of OPEN: the same, for an {@code O_TRUNC} open. */
    int OPEN_KILL_SUIDGID = 1;

    /** OPEN with the kernel's {@code open_flags} too; by default they are ignored. */
    default OpenResult open(RequestContext ctx, long node, int flags, int openFlags) throws IOException {
        return open(ctx, node, flags);
    }

    default OpenResult open(RequestContext ctx, long node, int flags) throws IOException {
        throw enosys();
    }

    default CreateResult create(RequestContext ctx, long parent, byte[] name, int mode, int flags, int umask)
            throws IOException {
        throw enosys();
    }

    /** Fill {@code dst} from its position (remaining = requested size); return the byte count (0 = EOF). */
    default int read(RequestContext ctx, long node, long fh, long offset, ByteBuffer dst) throws IOException {
        throw enosys();
    }

    /** Write {@code data} from its position to its limit; return the byte count written. */
    default int write(RequestContext ctx, long node, long fh, long offset, ByteBuffer data, int writeFlags)
            throws IOException {
        throw enosys();
    }

    default void flush(RequestContext ctx, long node, long fh, long lockOwner) throws IOException {
        throw enosys();
    }

    default void release(RequestContext ctx, long node, long fh, int flags) throws IOException {}

    default void fsync(RequestContext ctx, long node, long fh, boolean datasync) throws IOException {
        throw enosys();
    }

    default OpenResult opendir(RequestContext ctx, long node, int flags) throws IOException {
        return OpenResult.of(0);
    }

    /** Add entries starting after {@code offset} (0 = from the start) until the filler is full. */
    default void readdir(RequestContext ctx, long node, long fh, long offset, DirectoryFiller filler)
            throws IOException {
        throw enosys();
    }

    default void readdirplus(RequestContext ctx, long node, long fh, long offset, DirectoryFiller filler)
            throws IOException {
        throw enosys();
    }

    default void releasedir(RequestContext ctx, long node, long fh) throws IOException {}

    default void fsyncdir(RequestContext ctx, long node, long fh, boolean datasync) throws IOException {
        throw enosys();
    }

    default StatFs statfs(RequestContext ctx, long node) throws IOException {
        return new StatFs(0, 0, 0, 0, 0, 4096, 255, 4096);
    }

    /** {@code flags}: 0, XATTR_CREATE (1) or XATTR_REPLACE (2). */
    default void setxattr(RequestContext ctx, long node, String name, ByteBuffer value, int flags) throws IOException {
        throw enosys();
    }

    /**
     * {@code dst.remaining()} is the caller's buffer size; 0 asks only for the value's size (write
     * nothing). Return the value's size; throw ERANGE if it does not fit a non-zero buffer.
     */
    default int getxattr(RequestContext ctx, long node, String name, ByteBuffer dst) throws IOException {
        throw enosys();
    }

    /** Like getxattr, for the NUL-separated name list. */
    default int listxattr(RequestContext ctx, long node, ByteBuffer dst) throws IOException {
        throw enosys();
    }

    default void removexattr(RequestContext ctx, long node, String name) throws IOException {
        throw enosys();
    }

    default void access(RequestContext ctx, long node, int mask) throws IOException {
        throw enosys();
    }

    default void fallocate(RequestContext ctx, long node, long fh, int mode, long offset, long length)
            throws IOException {
        throw enosys();
    }

    /** Return the new offset (SEEK_SET/CUR/END/DATA/HOLE as in lseek(2)). */
    default long lseek(RequestContext ctx, long node, long fh, long offset, int whence) throws IOException {
        throw enosys();
    }

    private static FuseErrnoException enosys() {
        return new FuseErrnoException(Errno.ENOSYS);
    }
}
