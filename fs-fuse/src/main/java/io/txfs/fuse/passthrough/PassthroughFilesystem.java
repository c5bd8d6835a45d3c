package io.txfs.fuse.passthrough;

import static io.txfs.fuse.passthrough.LibcResults.check;
import static io.txfs.fuse.passthrough.LibcResults.count;
import static io.txfs.fuse.passthrough.LibcResults.errno;
import static io.txfs.fuse.passthrough.LibcResults.proc;
import static io.txfs.fuse.passthrough.StatConversions.attrOfStat;
import static io.txfs.fuse.passthrough.StatConversions.putTime;
import static io.txfs.fuse.passthrough.StatConversions.statFsOf;
import static io.txfs.sys.Sys.AT_EMPTY_PATH;
import static io.txfs.sys.Sys.AT_REMOVEDIR;
import static io.txfs.sys.Sys.AT_SYMLINK_NOFOLLOW;
import static io.txfs.sys.Sys.O_CLOEXEC;
import static io.txfs.sys.Sys.O_CREAT;
import static io.txfs.sys.Sys.O_DIRECTORY;
import static io.txfs.sys.Sys.O_EXCL;
import static io.txfs.sys.Sys.O_NOCTTY;
import static io.txfs.sys.Sys.O_NOFOLLOW;
import static io.txfs.sys.Sys.O_PATH;

import io.txfs.fuse.Attr;
import io.txfs.fuse.AttrReply;
import io.txfs.fuse.BackingFiles;
import io.txfs.fuse.CreateResult;
import io.txfs.fuse.DirectoryFiller;
import io.txfs.fuse.Entry;
import io.txfs.fuse.FuseErrnoException;
import io.txfs.fuse.FuseFilesystem;
import io.txfs.fuse.InitInfo;
import io.txfs.fuse.Names;
import io.txfs.fuse.OpenResult;
import io.txfs.fuse.RequestContext;
import io.txfs.fuse.SetAttr;
import io.txfs.fuse.StatFs;
import io.txfs.fuse.passthrough.Inodes.Inode;
import io.txfs.fuse.proto.InitFlags;
import io.txfs.sys.LibC;
import io.txfs.sys.StatBuf;
import io.txfs.sys.Sys;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a backing directory faithfully: every operation is the matching *at() call on the backing
 * filesystem, relative to descriptors held per inode (so the backing directory may be the
 * mountpoint itself), and every errno is the backing filesystem's own. File handles are real
 * descriptors. The daemon runs as root, so created files are chowned to the caller.
 *
 * <p>Names are the kernel's bytes, passed to the *at() calls as they came, valid UTF-8 or not.
 */
public final class PassthroughFilesystem implements FuseFilesystem, AutoCloseable {
    private static final LibC C = LibC.INSTANCE;
    private static final long DEFAULT_TTL_NANOS = 1_000_000_000L;
    private static final boolean DEFAULT_KERNEL_PASSTHROUGH = true;
    private static final Logger LOG = LoggerFactory.getLogger(PassthroughFilesystem.class);

    private final Inodes inodes;
    private final long configuredEntryTtl;
    private volatile long entryTtl;
    private final long attrTtl;
    private final boolean kernelPassthrough;
    /** Set at init when the kernel negotiated FUSE passthrough and it is wanted; else null. */
    private volatile KernelPassthrough passthrough;

    private volatile boolean writebackCache;
    private volatile boolean warnedDescriptors;
    private static final int EMFILE = 24;
    private static final int AT_EACCESS = 0x200;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CallerCredentials creds = new CallerCredentials();
    private final ThreadLocal<ByteBuffer> statBuf = ThreadLocal.withInitial(StatBuf::allocate);
    private final ThreadLocal<ByteBuffer> smallBuf =
            ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(64 * 1024).order(ByteOrder.LITTLE_ENDIAN));
    private final PassthroughDirectories directories =
            new PassthroughDirectories(creds, smallBuf, (dirFd, name) -> lookupAt(dirFd, name), this::forgetOne);

    /** Opens {@code backing} now, before any mount can cover it. */
    public PassthroughFilesystem(Path backing) throws IOException {
        this(openDir(backing), DEFAULT_TTL_NANOS, DEFAULT_TTL_NANOS, DEFAULT_KERNEL_PASSTHROUGH);
    }

    /**
     * With {@code kernelPassthrough}, files are opened with FOPEN_PASSTHROUGH when the kernel
     * negotiated FUSE_PASSTHROUGH: reads, writes and mmap then go from the kernel straight to the
     * backing file (every open of a file, so cached and passthrough opens never mix on one inode).
     */
    public PassthroughFilesystem(Path backing, boolean kernelPassthrough) throws IOException {
        this(openDir(backing), DEFAULT_TTL_NANOS, DEFAULT_TTL_NANOS, kernelPassthrough);
    }

    /** Takes ownership of {@code backingDirFd}, an O_PATH or O_RDONLY descriptor of a directory. */
    public PassthroughFilesystem(int backingDirFd) throws IOException {
        this(backingDirFd, DEFAULT_TTL_NANOS, DEFAULT_TTL_NANOS, DEFAULT_KERNEL_PASSTHROUGH);
    }

    public PassthroughFilesystem(int backingDirFd, long entryTtlNanos, long attrTtlNanos, boolean kernelPassthrough)
            throws IOException {
        this.kernelPassthrough = kernelPassthrough;
        DescriptorLimit.raise();
        ByteBuffer st = StatBuf.allocate();
        if (C.fstatat(backingDirFd, "", st, AT_EMPTY_PATH) != 0) {
            throw new IOException("backing descriptor " + backingDirFd + ": " + C.strerror(LibC.errno()));
        }
        if ((StatBuf.mode(st) & Sys.S_IFMT) != Sys.S_IFDIR) {
            throw new IOException("backing descriptor " + backingDirFd + " is not a directory");
        }
        this.inodes = new Inodes(backingDirFd, StatBuf.dev(st), StatBuf.ino(st));
        this.configuredEntryTtl = entryTtlNanos;
        this.entryTtl = entryTtlNanos;
        this.attrTtl = attrTtlNanos;
    }

    /** The reply for a freshly opened regular file: handed to the kernel as a backing file if we can. */
    private OpenResult opened(long node, int fd) {
        KernelPassthrough k = passthrough;
        OpenResult r = k == null ? null : k.opened(node, fd);
        return r != null ? r : OpenResult.of(fd, OpenResult.FOPEN_KEEP_CACHE);
    }

    private static int openDir(Path backing) throws IOException {
        int fd = C.open(backing.toAbsolutePath().toString(), O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
        if (fd < 0) {
            throw new IOException("cannot open backing directory " + backing + ": " + C.strerror(LibC.errno()));
        }
        return fd;
    }

    @Override
    public void init(InitInfo info) {
        BackingFiles files = kernelPassthrough ? info.backingFiles().orElse(null) : null;
        passthrough = files == null ? null : new KernelPassthrough(files, inodes);
        writebackCache = info.has(InitFlags.WRITEBACK_CACHE);
        // Without default_permissions the kernel walks cached names without asking anyone: a name root
        // looked up would stay reachable for a user the backing would refuse. So every walk asks.
        entryTtl = info.defaultPermissions() ? configuredEntryTtl : 0;
    }

    /** How many nodes the kernel currently holds lookups on (the root included). */
    public int nodeCount() {
        return inodes.size();
    }

    private ByteBuffer stat() {
        return statBuf.get();
    }

    // ---- lookups and attributes ----

    @Override
    public Entry lookup(RequestContext ctx, long parent, byte[] name) throws IOException {
        return creds.asCaller(ctx, () -> lookupAt(inodes.get(parent).fd, name));
    }

    private void leave(boolean entered) {
        creds.leave(entered);
    }

    /** Counts one lookup of {@code name} in the directory {@code dirFd}. */
    private Entry lookupAt(int dirFd, byte[] name) throws FuseErrnoException {
        int fd = C.openat(dirFd, Names.cstring(name), O_PATH | O_NOFOLLOW | O_CLOEXEC, 0);
        if (fd < 0) {
            int e = LibC.errno();
            if (e == EMFILE && !warnedDescriptors) {
                warnedDescriptors = true;
                LOG.warn(
                        "out of file descriptors with {} nodes known to the kernel: raise the hard RLIMIT_NOFILE "
                                + "(ulimit -Hn) of the daemon",
                        inodes.size());
            }
            throw new FuseErrnoException(e);
        }
        ByteBuffer st = stat();
        if (C.fstatat(fd, "", st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) != 0) {
            FuseErrnoException e = errno();
            C.close(fd);
            throw e;
        }
        Inode i = inodes.acquire(fd, StatBuf.dev(st), StatBuf.ino(st));
        return new Entry(i.id, 0, attrOfStat(st), entryTtl, attrTtl);
    }

    private void forgetOne(long node) {
        inodes.forget(node, 1);
    }

    @Override
    public void forget(long node, long nlookup) {
        inodes.forget(node, nlookup);
    }

    private Attr attrOf(Inode i) throws FuseErrnoException {
        ByteBuffer st = stat();
        check(C.fstatat(i.fd, "", st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW));
        return attrOfStat(st);
    }

    @Override
    public AttrReply getattr(RequestContext ctx, long node, long fh) throws IOException {
        return new AttrReply(attrOf(inodes.get(node)), attrTtl);
    }

    @Override
    public AttrReply setattr(RequestContext ctx, long node, SetAttr a) throws IOException {
        Inode inode = inodes.get(node);
        if (onlyDropsSetIdBits(inode, a)) {
            // The kernel clears setuid/setgid itself when someone other than the owner writes a file, and
            // without FUSE_HANDLE_KILLPRIV it asks us with a plain SETATTR(mode). A local filesystem drops
            // the bits whoever writes, so this is applied with the daemon's rights, not the writer's. With
            // default_permissions a chmod by a non-owner never reaches us; without it, a non-owner could at
            // most remove these two bits, never add anything.
            check(C.chmod(proc(inode.fd), a.mode() & 07777));
            return new AttrReply(attrOf(inode), attrTtl);
        }
        return creds.asCaller(ctx, () -> setattrAsCaller(inodes.get(node), a));
    }

    private boolean onlyDropsSetIdBits(Inode i, SetAttr a) throws FuseErrnoException {
        int others = SetAttr.FATTR_UID
                | SetAttr.FATTR_GID
                | SetAttr.FATTR_SIZE
                | SetAttr.FATTR_ATIME
                | SetAttr.FATTR_MTIME
                | SetAttr.FATTR_ATIME_NOW
                | SetAttr.FATTR_MTIME_NOW
                | SetAttr.FATTR_CTIME;
        if (!a.hasMode() || (a.valid() & others) != 0) {
            return false;
        }
        int cur = attrOf(i).mode() & 07777;
        int req = a.mode() & 07777;
        int dropped = cur & ~req;
        return dropped != 0 && (dropped & ~06000) == 0 && (req & ~cur) == 0;
    }

    private AttrReply setattrAsCaller(Inode i, SetAttr a) throws IOException {
        if (a.hasMode()) {
            check(a.hasFh() ? C.fchmod((int) a.fh(), a.mode() & 07777) : C.chmod(proc(i.fd), a.mode() & 07777));
        }
        if (a.hasUid() || a.hasGid()) {
            check(C.fchownat(
                    i.fd,
                    "",
                    a.hasUid() ? a.uid() : -1,
                    a.hasGid() ? a.gid() : -1,
                    AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW));
        }
        if (a.hasSize()) {
            check(a.hasFh() ? C.ftruncate((int) a.fh(), a.size()) : C.truncate(proc(i.fd), a.size()));
        }
        if (a.hasAtime() || a.hasMtime()) {
            ByteBuffer ts = smallBuf.get();
            putTime(ts, 0, a.hasAtime(), a.atimeNow(), a.atimeSec(), a.atimeNsec());
            putTime(ts, 16, a.hasMtime(), a.mtimeNow(), a.mtimeSec(), a.mtimeNsec());
            check(C.utimensat(i.fd, "", ts.clear(), AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW));
        }
        return new AttrReply(attrOf(i), attrTtl);
    }

    @Override
    public byte[] readlink(RequestContext ctx, long node) throws IOException {
        ByteBuffer buf = smallBuf.get();
        byte[] b = new byte[count(C.readlinkat(inodes.get(node).fd, "", buf.clear(), buf.capacity()))];
        buf.get(0, b);
        return b;
    }

    // ---- creating and removing names ----

    /**
     * After creating {@code name}: count the lookup and set the exact permission bits the kernel asked
     * for (the backing applied the daemon's umask on top of the caller's, which the kernel already
     * applied). Created as root for a non-root caller (not {@code asCaller}), it is also given to the
     * caller, keeping a set-group-id directory's group.
     */
    private Entry finishCreate(
            RequestContext ctx, Inode parent, byte[] name, int perms, boolean symlink, boolean asCaller)
            throws FuseErrnoException {
        if (!asCaller && (ctx.uid() != 0 || ctx.gid() != 0)) {
            ByteBuffer st = stat();
            check(C.fstatat(parent.fd, "", st, AT_EMPTY_PATH));
            int gid = (StatBuf.mode(st) & Sys.S_ISGID) != 0 ? -1 : ctx.gid();
            check(C.fchownat(parent.fd, Names.cstring(name), ctx.uid(), gid, AT_SYMLINK_NOFOLLOW));
        }
        Entry e = lookupAt(parent.fd, name);
        int actual = e.attr().mode() & 07777;
        int wanted = (actual & 07000) | (perms & 07777);
        if (!symlink && actual != wanted) {
            Inode i = inodes.get(e.nodeId());
            check(C.chmod(proc(i.fd), wanted));
            e = new Entry(e.nodeId(), 0, attrOf(i), entryTtl, attrTtl);
        }
        return e;
    }

    @Override
    public Entry mknod(RequestContext ctx, long parent, byte[] name, int mode, int rdev, int umask) throws IOException {
        boolean as = creds.enter(ctx);
        try {
            Inode p = inodes.get(parent);
            check(C.mknodat(p.fd, Names.cstring(name), mode, Sys.devFromFuse(rdev)));
            return finishCreate(ctx, p, name, mode, false, as);
        } finally {
            leave(as);
        }
    }

    @Override
    public Entry mkdir(RequestContext ctx, long parent, byte[] name, int mode, int umask) throws IOException {
        boolean as = creds.enter(ctx);
        try {
            Inode p = inodes.get(parent);
            check(C.mkdirat(p.fd, Names.cstring(name), mode & 07777));
            return finishCreate(ctx, p, name, mode, false, as);
        } finally {
            leave(as);
        }
    }

    @Override
    public Entry symlink(RequestContext ctx, long parent, byte[] name, byte[] target) throws IOException {
        boolean as = creds.enter(ctx);
        try {
            Inode p = inodes.get(parent);
            check(C.symlinkat(Names.cstring(target), p.fd, Names.cstring(name)));
            return finishCreate(ctx, p, name, 0, true, as);
        } finally {
            leave(as);
        }
    }

    @Override
    public CreateResult create(RequestContext ctx, long parent, byte[] name, int mode, int flags, int umask)
            throws IOException {
        int fd;
        Entry e;
        boolean as = creds.enter(ctx);
        try {
            Inode p = inodes.get(parent);
            fd = C.openat(p.fd, Names.cstring(name), openFlags(flags) | O_CREAT, mode & 07777);
            if (fd < 0) {
                throw errno();
            }
            try {
                e = finishCreate(ctx, p, name, mode, false, as);
            } catch (FuseErrnoException | RuntimeException ex) {
                C.close(fd);
                throw ex;
            }
        } finally {
            leave(as);
        }
        return new CreateResult(e, opened(e.nodeId(), fd));
    }

    @Override
    public void unlink(RequestContext ctx, long parent, byte[] name) throws IOException {
        creds.runAsCaller(ctx, () -> check(C.unlinkat(inodes.get(parent).fd, Names.cstring(name), 0)));
    }

    @Override
    public void rmdir(RequestContext ctx, long parent, byte[] name) throws IOException {
        creds.runAsCaller(ctx, () -> check(C.unlinkat(inodes.get(parent).fd, Names.cstring(name), AT_REMOVEDIR)));
    }

    @Override
    public void rename(RequestContext ctx, long parent, byte[] name, long newParent, byte[] newName, int flags)
            throws IOException {
        creds.runAsCaller(
                ctx,
                () -> check(C.renameat2(
                        inodes.get(parent).fd,
                        Names.cstring(name),
                        inodes.get(newParent).fd,
                        Names.cstring(newName),
                        flags)));
    }

    @Override
    public Entry link(RequestContext ctx, long node, long newParent, byte[] newName) throws IOException {
        boolean as = creds.enter(ctx);
        try {
            Inode np = inodes.get(newParent);
            // via the /proc magic link: AT_EMPTY_PATH would need CAP_DAC_READ_SEARCH, which a caller lacks
            check(C.linkat(
                    Sys.AT_FDCWD,
                    Names.cstring(proc(inodes.get(node).fd)),
                    np.fd,
                    Names.cstring(newName),
                    Sys.AT_SYMLINK_FOLLOW));
            return lookupAt(np.fd, newName);
        } finally {
            leave(as);
        }
    }

    // ---- files ----

    private int openFlags(int flags) {
        int f = (flags & ~(O_NOFOLLOW | O_CREAT | O_EXCL | O_NOCTTY)) | O_CLOEXEC;
        if (writebackCache) {
            // The kernel reads to fill partial pages of write-only files and keeps the append offset itself.
            if ((f & Sys.O_ACCMODE) == Sys.O_WRONLY) {
                f = (f & ~Sys.O_ACCMODE) | Sys.O_RDWR;
            }
            f &= ~Sys.O_APPEND;
        }
        return f;
    }

    @Override
    public OpenResult open(RequestContext ctx, long node, int flags) throws IOException {
        int fd;
        boolean as = creds.enter(ctx);
        try {
            fd = C.open(proc(inodes.get(node).fd), openFlags(flags), 0);
            if (fd < 0) {
                throw errno();
            }
        } finally {
            leave(as);
        }
        return opened(node, fd);
    }

    @Override
    public int read(RequestContext ctx, long node, long fh, long offset, ByteBuffer dst) throws IOException {
        return count(C.pread((int) fh, dst, dst.remaining(), offset));
    }

    @Override
    public int write(RequestContext ctx, long node, long fh, long offset, ByteBuffer data, int writeFlags)
            throws IOException {
        return count(C.pwrite((int) fh, data, data.remaining(), offset));
    }

    @Override
    public void flush(RequestContext ctx, long node, long fh, long lockOwner) throws IOException {
        // close() of a duplicate reports deferred write errors (NFS backings) like the caller's close would
        int dup = C.dup((int) fh);
        check(dup);
        check(C.close(dup));
    }

    @Override
    public void release(RequestContext ctx, long node, long fh, int flags) {
        KernelPassthrough k = passthrough;
        if (k != null) k.release(fh);
        C.close((int) fh);
    }

    @Override
    public void fsync(RequestContext ctx, long node, long fh, boolean datasync) throws IOException {
        check(datasync ? C.fdatasync((int) fh) : C.fsync((int) fh));
    }

    @Override
    public void fallocate(RequestContext ctx, long node, long fh, int mode, long offset, long length)
            throws IOException {
        check(C.fallocate((int) fh, mode, offset, length));
    }

    @Override
    public long lseek(RequestContext ctx, long node, long fh, long offset, int whence) throws IOException {
        long r = C.lseek((int) fh, offset, whence);
        if (r < 0) {
            throw errno();
        }
        return r;
    }

    // ---- directories (PassthroughDirectories) ----

    @Override
    public OpenResult opendir(RequestContext ctx, long node, int flags) throws IOException {
        return directories.open(ctx, inodes.get(node).fd);
    }

    @Override
    public void readdir(RequestContext ctx, long node, long fh, long offset, DirectoryFiller filler)
            throws IOException {
        directories.read(fh, offset, filler);
    }

    @Override
    public void readdirplus(RequestContext ctx, long node, long fh, long offset, DirectoryFiller filler)
            throws IOException {
        directories.readPlus(ctx, fh, offset, filler);
    }

    @Override
    public void releasedir(RequestContext ctx, long node, long fh) {
        directories.release(fh);
    }

    @Override
    public void fsyncdir(RequestContext ctx, long node, long fh, boolean datasync) throws IOException {
        directories.fsync(fh, datasync);
    }

    // ---- the rest ----

    @Override
    public StatFs statfs(RequestContext ctx, long node) throws IOException {
        ByteBuffer b = smallBuf.get();
        check(C.fstatfs(inodes.get(node).fd, b.clear()));
        return statFsOf(b);
    }

    @Override
    public void setxattr(RequestContext ctx, long node, String name, ByteBuffer value, int flags) throws IOException {
        ByteBuffer direct = value.isDirect() ? value : copyDirect(value);
        creds.runAsCaller(
                ctx, () -> check(C.setxattr(proc(inodes.get(node).fd), name, direct, direct.remaining(), flags)));
    }

    private ByteBuffer copyDirect(ByteBuffer value) {
        ByteBuffer d = ByteBuffer.allocateDirect(value.remaining());
        d.put(value.duplicate()).flip();
        return d;
    }

    @Override
    public int getxattr(RequestContext ctx, long node, String name, ByteBuffer dst) throws IOException {
        return creds.asCaller(ctx, () -> count(C.getxattr(proc(inodes.get(node).fd), name, dst, dst.remaining())));
    }

    @Override
    public int listxattr(RequestContext ctx, long node, ByteBuffer dst) throws IOException {
        return creds.asCaller(ctx, () -> count(C.listxattr(proc(inodes.get(node).fd), dst, dst.remaining())));
    }

    @Override
    public void removexattr(RequestContext ctx, long node, String name) throws IOException {
        creds.runAsCaller(ctx, () -> check(C.removexattr(proc(inodes.get(node).fd), name)));
    }

    @Override
    public void access(RequestContext ctx, long node, int mask) throws IOException {
        creds.runAsCaller(
                ctx,
                () -> // AT_EACCESS: check with the fs ids this thread now has, not the daemon's real ones
                check(C.faccessat(Sys.AT_FDCWD, proc(inodes.get(node).fd), mask, AT_EACCESS)));
    }

    @Override
    public void destroy() {
        close();
    }

    /** Closes every descriptor this filesystem holds (the backing directory's too). Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            directories.closeAll();
            inodes.closeAll();
        }
    }

    /** Used by tests: the kernel's outstanding lookups of a node. */
    long lookups(long node) {
        return inodes.lookups(node);
    }
}
