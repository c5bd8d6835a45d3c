package io.txfs.fuse.passthrough;

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
import static io.txfs.sys.Sys.O_RDONLY;

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
import io.txfs.sys.Errno;
import io.txfs.sys.LibC;
import io.txfs.sys.StatBuf;
import io.txfs.sys.Sys;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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
    private final Map<Long, DirHandle> dirs = new ConcurrentHashMap<>();
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

    private static FuseErrnoException errno() {
        return new FuseErrnoException(LibC.errno());
    }

    private static void check(int rc) throws FuseErrnoException {
        if (rc < 0) {
            throw errno();
        }
    }

    /** A byte count from libc, or its errno thrown. */
    private static int count(long n) throws FuseErrnoException {
        if (n < 0) {
            throw errno();
        }
        return (int) n;
    }

    /** The path through which the daemon reaches what descriptor fd is open on. */
    static String proc(int fd) {
        return "/proc/self/fd/" + fd;
    }

    private ByteBuffer stat() {
        return statBuf.get();
    }

    // ---- lookups and attributes ----

    @Override
    public Entry lookup(RequestContext ctx, long parent, byte[] name) throws IOException {
        boolean as = creds.enter(ctx);
        try {
            return lookupAt(inodes.get(parent).fd, name);
        } finally {
            leave(as);
        }
    }

    private void leave(boolean entered) {
        if (entered) {
            creds.restore();
        }
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
        return new Entry(i.id, 0, attrOf(st), entryTtl, attrTtl);
    }

    @Override
    public void forget(long node, long nlookup) {
        inodes.forget(node, nlookup);
    }

    private Attr attrOf(Inode i) throws FuseErrnoException {
        ByteBuffer st = stat();
        check(C.fstatat(i.fd, "", st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW));
        return attrOf(st);
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
        boolean as = creds.enter(ctx);
        try {
            return setattrAsCaller(inodes.get(node), a);
        } finally {
            leave(as);
        }
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

    private static void putTime(ByteBuffer ts, int off, boolean set, boolean now, long sec, int nsec) {
        ts.putLong(off, set && !now ? sec : 0);
        ts.putLong(off + 8, !set ? Sys.UTIME_OMIT : now ? Sys.UTIME_NOW : nsec);
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
        boolean as = creds.enter(ctx);
        try {
            check(C.unlinkat(inodes.get(parent).fd, Names.cstring(name), 0));
        } finally {
            leave(as);
        }
    }

    @Override
    public void rmdir(RequestContext ctx, long parent, byte[] name) throws IOException {
        boolean as = creds.enter(ctx);
        try {
            check(C.unlinkat(inodes.get(parent).fd, Names.cstring(name), AT_REMOVEDIR));
        } finally {
            leave(as);
        }
    }

    @Override
    public void rename(RequestContext ctx, long parent, byte[] name, long newParent, byte[] newName, int flags)
            throws IOException {
        boolean as = creds.enter(ctx);
        try {
            check(C.renameat2(
                    inodes.get(parent).fd,
                    Names.cstring(name),
                    inodes.get(newParent).fd,
                    Names.cstring(newName),
                    flags));
        } finally {
            leave(as);
        }
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

    // ---- directories ----

    @Override
    public OpenResult opendir(RequestContext ctx, long node, int flags) throws IOException {
        int fd;
        boolean as = creds.enter(ctx);
        try {
            fd = C.open(proc(inodes.get(node).fd), O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
            if (fd < 0) {
                throw errno();
            }
        } finally {
            leave(as);
        }
        dirs.put((long) fd, new DirHandle(fd));
        return OpenResult.of(fd);
    }

    private DirHandle dir(long fh, long offset) throws FuseErrnoException {
        DirHandle h = dirs.get(fh);
        if (h == null) {
            throw new FuseErrnoException(Errno.EBADF);
        }
        h.load(offset == 0, smallBuf.get());
        return h;
    }

    @Override
    public void readdir(RequestContext ctx, long node, long fh, long offset, DirectoryFiller filler)
            throws IOException {
        DirHandle.Listing l = dir(fh, offset).listing();
        for (int i = (int) offset; i < l.size(); i++) {
            if (!filler.add(l.name(i), l.ino(i), l.type(i), i + 1)) {
                return;
            }
        }
    }

    @Override
    public void readdirplus(RequestContext ctx, long node, long fh, long offset, DirectoryFiller filler)
            throws IOException {
        DirHandle h = dir(fh, offset);
        DirHandle.Listing l = h.listing();
        boolean as = creds.enter(ctx);
        try {
            fillPlus(h, l, offset, filler);
        } finally {
            leave(as);
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
                e = lookupAt(h.fd(), name);
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
                inodes.forget(e.nodeId(), 1);
                return;
            }
        }
    }

    @Override
    public void releasedir(RequestContext ctx, long node, long fh) {
        DirHandle h = dirs.remove(fh);
        if (h != null) {
            C.close(h.fd());
        }
    }

    @Override
    public void fsyncdir(RequestContext ctx, long node, long fh, boolean datasync) throws IOException {
        DirHandle h = dirs.get(fh);
        if (h == null) {
            throw new FuseErrnoException(Errno.EBADF);
        }
        check(datasync ? C.fdatasync(h.fd()) : C.fsync(h.fd()));
    }

    // ---- the rest ----

    @Override
    public StatFs statfs(RequestContext ctx, long node) throws IOException {
        ByteBuffer b = smallBuf.get();
        check(C.fstatfs(inodes.get(node).fd, b.clear()));
        // glibc struct statfs on x86_64: bsize@8 blocks@16 bfree@24 bavail@32 files@40 ffree@48 namelen@64 frsize@72
        return new StatFs(
                b.getLong(16),
                b.getLong(24),
                b.getLong(32),
                b.getLong(40),
                b.getLong(48),
                (int) b.getLong(8),
                (int) b.getLong(64),
                (int) b.getLong(72));
    }

    @Override
    public void setxattr(RequestContext ctx, long node, String name, ByteBuffer value, int flags) throws IOException {
        ByteBuffer direct = value.isDirect() ? value : copyDirect(value);
        boolean as = creds.enter(ctx);
        try {
            check(C.setxattr(proc(inodes.get(node).fd), name, direct, direct.remaining(), flags));
        } finally {
            leave(as);
        }
    }

    private ByteBuffer copyDirect(ByteBuffer value) {
        ByteBuffer d = ByteBuffer.allocateDirect(value.remaining());
        d.put(value.duplicate()).flip();
        return d;
    }

    @Override
    public int getxattr(RequestContext ctx, long node, String name, ByteBuffer dst) throws IOException {
        boolean as = creds.enter(ctx);
        try {
            return count(C.getxattr(proc(inodes.get(node).fd), name, dst, dst.remaining()));
        } finally {
            leave(as);
        }
    }

    @Override
    public int listxattr(RequestContext ctx, long node, ByteBuffer dst) throws IOException {
        boolean as = creds.enter(ctx);
        try {
            return count(C.listxattr(proc(inodes.get(node).fd), dst, dst.remaining()));
        } finally {
            leave(as);
        }
    }

    @Override
    public void removexattr(RequestContext ctx, long node, String name) throws IOException {
        boolean as = creds.enter(ctx);
        try {
            check(C.removexattr(proc(inodes.get(node).fd), name));
        } finally {
            leave(as);
        }
    }

    @Override
    public void access(RequestContext ctx, long node, int mask) throws IOException {
        boolean as = creds.enter(ctx);
        try {
            // AT_EACCESS: check with the fs ids this thread now has, not the daemon's real ones
            check(C.faccessat(Sys.AT_FDCWD, proc(inodes.get(node).fd), mask, AT_EACCESS));
        } finally {
            leave(as);
        }
    }

    @Override
    public void destroy() {
        close();
    }

    /** Closes every descriptor this filesystem holds (the backing directory's too). Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            for (DirHandle h : dirs.values()) {
                C.close(h.fd());
            }
            dirs.clear();
            inodes.closeAll();
        }
    }

    /** Used by tests: the kernel's outstanding lookups of a node. */
    long lookups(long node) {
        return inodes.lookups(node);
    }

    /** The FUSE attributes of a glibc {@code struct stat} (x86_64 layout, see StatBuf). */
    private static Attr attrOf(ByteBuffer b) {
        long nlink = b.getLong(16);
        return new Attr(
                b.getLong(8),
                b.getLong(48),
                b.getLong(64),
                b.getLong(72),
                (int) b.getLong(80),
                b.getLong(88),
                (int) b.getLong(96),
                b.getLong(104),
                (int) b.getLong(112),
                b.getInt(24),
                (int) Math.min(nlink, 0xffffffffL),
                b.getInt(28),
                b.getInt(32),
                Sys.devToFuse(b.getLong(40)),
                (int) b.getLong(56));
    }
}
