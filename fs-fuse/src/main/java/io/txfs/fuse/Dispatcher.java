package io.txfs.fuse;

import static io.txfs.fuse.proto.Wire.IN_HEADER;
import static io.txfs.fuse.proto.Wire.OUT_HEADER;

import io.txfs.fuse.proto.FuseIn;
import io.txfs.fuse.proto.InitFlags;
import io.txfs.fuse.proto.Opcode;
import io.txfs.fuse.proto.Wire;
import io.txfs.sys.Errno;
import io.txfs.sys.ErrnoAnswer;
import java.nio.ByteBuffer;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes one request, calls the filesystem, encodes the reply into the worker's out buffer. This is
 * the one place that decides the errno of a reply: a {@link FuseErrnoException} passes its errno, a
 * malformed request gets EINVAL, anything else EIO (logged here, once per request).
 */
final class Dispatcher {
    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);

    static final int MAX_WRITE = InitNegotiation.MAX_WRITE;
    static final int MIN_MINOR = 23;
    private static final int ERANGE = Errno.ERANGE.code();

    /** Thrown (preallocated, no stack) when a request is shorter than its opcode's structs. */
    private static final class Malformed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Malformed() {
            super("malformed request", null, false, false);
        }
    }

    private static final Malformed MALFORMED = new Malformed();

    private final FuseFilesystem fs;
    private final RequestCounts counts;
    private final boolean writebackCache;
    private final boolean passthrough;
    private final CompletableFuture<InitInfo> init = new CompletableFuture<>();
    private volatile InitInfo info;
    private volatile BackingFiles backingFiles;
    private final Set<String> loggedFailures = ConcurrentHashMap.newKeySet();

    Dispatcher(FuseFilesystem fs, boolean writebackCache, boolean passthrough) {
        this.fs = fs;
        this.counts = fs.requestCounts();
        this.writebackCache = writebackCache;
        this.passthrough = passthrough;
        registerOperations();
    }

    private volatile boolean defaultPermissions;

    /** Set by the mount before the session starts: reported to the filesystem in InitInfo. */
    void defaultPermissions(boolean defaultPermissions) {
        this.defaultPermissions = defaultPermissions;
    }

    /** Set by the session before it starts reading, when the device supports backing files. */
    void backingFiles(BackingFiles backingFiles) {
        this.backingFiles = backingFiles;
    }

    CompletableFuture<InitInfo> initFuture() {
        return init;
    }

    InitInfo info() {
        return info;
    }

    /**
     * Handles the {@code n}-byte request in {@code w.in}; returns the length of the reply in
     * {@code w.out}, or 0 when the request gets no reply.
     */
    int handle(RequestBuffers w, int n) {
        ByteBuffer in = w.in;
        if (n < OUT_HEADER) {
            LOG.warn("dropping a {}-byte request: too short to answer", n);
            return 0;
        }
        long unique = in.getLong(Wire.IN_UNIQUE);
        if (n < IN_HEADER || in.getInt(Wire.IN_LEN) != n) {
            LOG.warn("malformed request header: read {} bytes, header says {}", n, in.getInt(Wire.IN_LEN));
            return error(w, unique, Errno.EINVAL.code());
        }
        int opcode = in.getInt(Wire.IN_OPCODE);
        long node = in.getLong(Wire.IN_NODEID);
        long started = counts != null ? System.nanoTime() : 0;
        try {
            if (info == null && opcode != Opcode.INIT) {
                return error(w, unique, Errno.EIO.code());
            }
            return dispatch(w, n, opcode, unique, node);
        } catch (FuseErrnoException e) {
            return error(w, unique, e.errno());
        } catch (Malformed e) {
            LOG.warn("malformed {} request (unique {}, {} bytes): answered EINVAL", Opcode.name(opcode), unique, n);
            return error(w, unique, Errno.EINVAL.code());
        } catch (Throwable t) {
            if (t instanceof ErrnoAnswer answer) {
                return error(w, unique, answer.errno().code());
            }
            logUnexpected(opcode, node, t);
            if (t instanceof VirtualMachineError && !(t instanceof StackOverflowError)) {
                throw (VirtualMachineError) t;
            }
            return error(w, unique, Errno.EIO.code());
        } finally {
            if (counts != null) {
                counts.count(opcode, System.nanoTime() - started);
            }
        }
    }

    /** The stack trace once per (opcode, exception type, throwing frame); repeats get one line. */
    private void logUnexpected(int opcode, long node, Throwable t) {
        StackTraceElement[] st = t.getStackTrace();
        String key = opcode + ":" + t.getClass().getName() + ":" + (st.length > 0 ? st[0] : "");
        if (loggedFailures.size() < 1024 && loggedFailures.add(key)) {
            LOG.error("{} on node {} failed unexpectedly: answered EIO", Opcode.name(opcode), node, t);
        } else {
            LOG.warn(
                    "{} on node {} failed unexpectedly again: answered EIO ({})",
                    Opcode.name(opcode),
                    node,
                    t.toString());
        }
    }

    private static int error(RequestBuffers w, long unique, int errno) {
        Wire.putOutHeader(w.out, OUT_HEADER, -errno, unique);
        return OUT_HEADER;
    }

    private static int ok(RequestBuffers w, long unique, int payload) {
        Wire.putOutHeader(w.out, OUT_HEADER + payload, 0, unique);
        return OUT_HEADER + payload;
    }

    private static void need(int n, int size) {
        if (n < size) {
            throw MALFORMED;
        }
    }

    /** The NUL-terminated string at {@code off}; its terminator must lie before {@code n}. */
    private static int nulAt(RequestBuffers w, int off, int n) {
        int z = Wire.nul(w.in, off, n);
        if (z < 0) {
            throw MALFORMED;
        }
        return z;
    }

    private static RequestContext ctx(ByteBuffer in, long unique) {
        return new RequestContext(unique, in.getInt(Wire.IN_UID), in.getInt(Wire.IN_GID), in.getInt(Wire.IN_PID));
    }

    /** What the dispatcher knows of an opcode: the fixed struct its request must hold, and its handler. */
    private record Operation(int inSize, Handler handler) {}

    @FunctionalInterface
    private interface Handler {
        /** Answers the request; returns the length of the reply in {@code w.out}, or 0 for no reply. */
        int handle(Call c) throws Exception;
    }

    /**
     * One request as a handler sees it: the struct at {@link #B} (its size checked before the handler
     * runs), the names after it (each checked to end inside the request), and the reply to fill.
     */
    private static final class Call {
        static final int B = IN_HEADER;
        final RequestBuffers w;
        final ByteBuffer in;
        final int n;
        final long unique;
        final long node;
        final int opcode;
        /** Where the name after the last one read starts. */
        private int next;

        Call(RequestBuffers w, int n, long unique, long node, int opcode) {
            this.w = w;
            this.in = w.in;
            this.n = n;
            this.unique = unique;
            this.node = node;
            this.opcode = opcode;
        }

        RequestContext ctx() {
            return Dispatcher.ctx(in, unique);
        }

        /** The NUL-terminated name that starts {@code off} bytes after the request header. */
        byte[] name(int off) {
            int z = nulAt(w, B + off, n);
            next = z + 1;
            return w.bytes(B + off, z);
        }

        /** An xattr name: the engine and the kernel's namespaces know them as text (user.*, trusted.*, ...). */
        String xattrName(int off) {
            return Names.decode(name(off));
        }

        /** The NUL-terminated name that follows the last one read. */
        byte[] nextName() {
            int start = next;
            int z = nulAt(w, start, n);
            next = z + 1;
            return w.bytes(start, z);
        }

        /** The request holds {@code bytes} more bytes from the end of the last name read. */
        void needAfterName(int bytes) {
            need(n, next + bytes);
        }

        int ok(int payload) {
            return Dispatcher.ok(w, unique, payload);
        }

        int entry(Entry e) {
            return ok(Wire.putEntryOut(w.out, OUT_HEADER, e));
        }

        int attr(AttrReply r) {
            return ok(Wire.putAttrOut(w.out, OUT_HEADER, r));
        }

        int open(OpenResult o) {
            return ok(Wire.putOpenOut(w.out, OUT_HEADER, o));
        }

        int error(int errno) {
            return Dispatcher.error(w, unique, errno);
        }
    }

    /** Opcode to operation; null: answered ENOSYS (unknown, or not wanted: see docs/fuse-protocol.md). */
    private final Operation[] operations = new Operation[64];

    private void on(int opcode, int inSize, Handler handler) {
        operations[opcode] = new Operation(inSize, handler);
    }

    private void registerOperations() {
        on(Opcode.INIT, 8, c -> init(c.w, c.n, c.unique));
        on(Opcode.LOOKUP, 0, this::lookup);
        on(Opcode.FORGET, Wire.FORGET_IN, this::forget);
        on(Opcode.BATCH_FORGET, Wire.BATCH_FORGET_IN, this::batchForget);
        on(Opcode.GETATTR, FuseIn.Getattr.SIZE, this::getattr);
        on(Opcode.SETATTR, Wire.SETATTR_IN, this::setattr);
        on(Opcode.READLINK, 0, this::readlink);
        on(Opcode.SYMLINK, 0, this::symlink);
        on(Opcode.MKNOD, FuseIn.Mknod.SIZE, this::mknod);
        on(Opcode.MKDIR, FuseIn.Mkdir.SIZE, this::mkdir);
        on(Opcode.UNLINK, 0, this::unlink);
        on(Opcode.RMDIR, 0, this::rmdir);
        on(Opcode.RENAME, Wire.RENAME_IN, this::rename);
        on(Opcode.RENAME2, Wire.RENAME2_IN, this::rename);
        on(Opcode.LINK, Wire.LINK_IN, this::link);
        on(Opcode.OPEN, FuseIn.Open.SIZE, this::open);
        on(Opcode.CREATE, FuseIn.Create.SIZE, this::create);
        on(Opcode.READ, FuseIn.Read.SIZE, this::read);
        on(Opcode.WRITE, FuseIn.Write.SIZE, this::write);
        on(Opcode.STATFS, 0, this::statfs);
        on(Opcode.RELEASE, FuseIn.Release.SIZE, this::release);
        on(Opcode.FSYNC, FuseIn.Fsync.SIZE, this::fsync);
        on(Opcode.SETXATTR, Wire.SETXATTR_IN_COMPAT, this::setxattr);
        on(Opcode.GETXATTR, Wire.GETXATTR_IN, this::getxattr);
        on(Opcode.LISTXATTR, Wire.GETXATTR_IN, this::getxattr);
        on(Opcode.REMOVEXATTR, 0, this::removexattr);
        on(Opcode.FLUSH, FuseIn.Flush.SIZE, this::flush);
        on(Opcode.OPENDIR, FuseIn.Open.SIZE, this::opendir);
        on(Opcode.READDIR, FuseIn.Read.SIZE, this::readdir);
        on(Opcode.READDIRPLUS, FuseIn.Read.SIZE, this::readdir);
        on(Opcode.RELEASEDIR, FuseIn.Release.SIZE, this::releasedir);
        on(Opcode.FSYNCDIR, FuseIn.Fsync.SIZE, this::fsyncdir);
        on(Opcode.ACCESS, Wire.ACCESS_IN, this::access);
        // Requests run to completion; the kernel copes with a late reply to an interrupted one.
        on(Opcode.INTERRUPT, 0, c -> 0);
        on(Opcode.DESTROY, 0, c -> c.ok(0));
        on(Opcode.FALLOCATE, FuseIn.Fallocate.SIZE, this::fallocate);
        on(Opcode.LSEEK, FuseIn.Lseek.SIZE, this::lseek);
    }

    private int dispatch(RequestBuffers w, int n, int opcode, long unique, long node) throws Exception {
        Operation op = opcode >= 0 && opcode < operations.length ? operations[opcode] : null;
        if (op == null) {
            return error(w, unique, Errno.ENOSYS.code());
        }
        need(n, IN_HEADER + op.inSize());
        return op.handler().handle(new Call(w, n, unique, node, opcode));
    }

    private int lookup(Call c) throws Exception {
        return c.entry(fs.lookup(c.ctx(), c.node, c.name(0)));
    }

    private int forget(Call c) {
        fs.forget(c.node, c.in.getLong(Call.B));
        return 0;
    }

    private int batchForget(Call c) {
        int count = c.in.getInt(Call.B);
        int first = Call.B + Wire.BATCH_FORGET_IN;
        if (count < 0 || count > (c.n - first) / FuseIn.ForgetOne.SIZE) {
            throw MALFORMED;
        }
        for (int i = 0; i < count; i++) {
            FuseIn.ForgetOne f = FuseIn.ForgetOne.at(c.in, first + i * FuseIn.ForgetOne.SIZE);
            fs.forget(f.node(), f.lookups());
        }
        return 0;
    }

    private int getattr(Call c) throws Exception {
        return c.attr(
                fs.getattr(c.ctx(), c.node, FuseIn.Getattr.at(c.in, Call.B).fhOrNone()));
    }

    private int setattr(Call c) throws Exception {
        return c.attr(fs.setattr(c.ctx(), c.node, SetAttr.at(c.in, Call.B)));
    }

    private int readlink(Call c) throws Exception {
        byte[] target = fs.readlink(c.ctx(), c.node);
        c.w.out.put(OUT_HEADER, target);
        return c.ok(target.length);
    }

    private int symlink(Call c) throws Exception {
        byte[] name = c.name(0);
        byte[] target = c.nextName();
        return c.entry(fs.symlink(c.ctx(), c.node, name, target));
    }

    private int mknod(Call c) throws Exception {
        FuseIn.Mknod m = FuseIn.Mknod.at(c.in, Call.B);
        return c.entry(fs.mknod(c.ctx(), c.node, c.name(FuseIn.Mknod.SIZE), m.mode(), m.rdev(), m.umask()));
    }

    private int mkdir(Call c) throws Exception {
        FuseIn.Mkdir m = FuseIn.Mkdir.at(c.in, Call.B);
        return c.entry(fs.mkdir(c.ctx(), c.node, c.name(FuseIn.Mkdir.SIZE), m.mode(), m.umask()));
    }

    private int unlink(Call c) throws Exception {
        fs.unlink(c.ctx(), c.node, c.name(0));
        return c.ok(0);
    }

    private int rmdir(Call c) throws Exception {
        fs.rmdir(c.ctx(), c.node, c.name(0));
        return c.ok(0);
    }

    private int rename(Call c) throws Exception {
        boolean two = c.opcode == Opcode.RENAME2;
        FuseIn.Rename r = FuseIn.Rename.at(c.in, Call.B, two);
        byte[] from = c.name(two ? Wire.RENAME2_IN : Wire.RENAME_IN);
        byte[] to = c.nextName();
        fs.rename(c.ctx(), c.node, from, r.newDir(), to, r.flags());
        return c.ok(0);
    }

    private int link(Call c) throws Exception {
        long oldNode = c.in.getLong(Call.B);
        return c.entry(fs.link(c.ctx(), oldNode, c.node, c.name(Wire.LINK_IN)));
    }

    private int open(Call c) throws Exception {
        FuseIn.Open o = FuseIn.Open.at(c.in, Call.B);
        return c.open(fs.open(c.ctx(), c.node, o.flags(), o.openFlags()));
    }

    private int create(Call c) throws Exception {
        FuseIn.Create r = FuseIn.Create.at(c.in, Call.B);
        CreateResult created = fs.create(c.ctx(), c.node, c.name(FuseIn.Create.SIZE), r.mode(), r.flags(), r.umask());
        int len = Wire.putEntryOut(c.w.out, OUT_HEADER, created.entry());
        len += Wire.putOpenOut(c.w.out, OUT_HEADER + len, created.open());
        return c.ok(len);
    }

    private int read(Call c) throws Exception {
        FuseIn.Read r = FuseIn.Read.at(c.in, Call.B);
        ByteBuffer dst = c.w.outPayload;
        if (r.size() < 0 || r.size() > dst.capacity()) {
            throw MALFORMED;
        }
        dst.clear().limit(r.size());
        int got = fs.read(c.ctx(), c.node, r.fh(), r.offset(), dst);
        if (got < 0 || got > r.size()) {
            throw new IllegalStateException("read returned " + got + " for a " + r.size() + "-byte request");
        }
        return c.ok(got);
    }

    private int write(Call c) throws Exception {
        FuseIn.Write r = FuseIn.Write.at(c.in, Call.B);
        if (r.size() < 0) {
            throw MALFORMED;
        }
        need(c.n, Call.B + FuseIn.Write.SIZE + r.size());
        ByteBuffer data = c.w.writeData;
        data.clear().limit(r.size());
        int wrote = fs.write(c.ctx(), c.node, r.fh(), r.offset(), data, r.writeFlags());
        return c.ok(Wire.putSizeOut(c.w.out, OUT_HEADER, wrote));
    }

    private int statfs(Call c) throws Exception {
        return c.ok(Wire.putStatfsOut(c.w.out, OUT_HEADER, fs.statfs(c.ctx(), c.node)));
    }

    private int release(Call c) throws Exception {
        FuseIn.Release r = FuseIn.Release.at(c.in, Call.B);
        fs.release(c.ctx(), c.node, r.fh(), r.flags());
        return c.ok(0);
    }

    private int fsync(Call c) throws Exception {
        FuseIn.Fsync f = FuseIn.Fsync.at(c.in, Call.B);
        fs.fsync(c.ctx(), c.node, f.fh(), f.dataOnly());
        return c.ok(0);
    }

    private int setxattr(Call c) throws Exception {
        // the struct grew with FUSE_SETXATTR_EXT; the name follows whichever size was negotiated
        int size = info.has(InitFlags.SETXATTR_EXT) ? FuseIn.Setxattr.SIZE_EXT : Wire.SETXATTR_IN_COMPAT;
        need(c.n, Call.B + size);
        FuseIn.Setxattr x = FuseIn.Setxattr.at(c.in, Call.B);
        String name = c.xattrName(size);
        if (x.valueSize() < 0) {
            throw MALFORMED;
        }
        c.needAfterName(x.valueSize());
        ByteBuffer value =
                c.in.duplicate().position(c.next).limit(c.next + x.valueSize()).slice();
        fs.setxattr(c.ctx(), c.node, name, value, x.flags());
        return c.ok(0);
    }

    /** GETXATTR and LISTXATTR: size 0 asks for the size only; a value larger than size is ERANGE. */
    private int getxattr(Call c) throws Exception {
        int size = c.in.getInt(Call.B);
        ByteBuffer dst = c.w.outPayload;
        if (size < 0 || size > dst.capacity()) {
            throw MALFORMED;
        }
        dst.clear().limit(size);
        int len = c.opcode == Opcode.GETXATTR
                ? fs.getxattr(c.ctx(), c.node, c.xattrName(Wire.GETXATTR_IN), dst)
                : fs.listxattr(c.ctx(), c.node, dst);
        if (size == 0) {
            return c.ok(Wire.putSizeOut(c.w.out, OUT_HEADER, len));
        }
        if (len > size) {
            return c.error(ERANGE);
        }
        return c.ok(len);
    }

    private int removexattr(Call c) throws Exception {
        fs.removexattr(c.ctx(), c.node, c.xattrName(0));
        return c.ok(0);
    }

    private int flush(Call c) throws Exception {
        FuseIn.Flush f = FuseIn.Flush.at(c.in, Call.B);
        fs.flush(c.ctx(), c.node, f.fh(), f.lockOwner());
        return c.ok(0);
    }

    private int opendir(Call c) throws Exception {
        return c.open(fs.opendir(c.ctx(), c.node, FuseIn.Open.at(c.in, Call.B).flags()));
    }

    private int readdir(Call c) throws Exception {
        FuseIn.Read r = FuseIn.Read.at(c.in, Call.B);
        if (r.size() < 0) {
            throw MALFORMED;
        }
        boolean plus = c.opcode == Opcode.READDIRPLUS;
        c.w.startDir(plus, r.size());
        if (plus) {
            fs.readdirplus(c.ctx(), c.node, r.fh(), r.offset(), c.w);
        } else {
            fs.readdir(c.ctx(), c.node, r.fh(), r.offset(), c.w);
        }
        return c.ok(c.w.dirEnd() - OUT_HEADER);
    }

    private int releasedir(Call c) throws Exception {
        fs.releasedir(c.ctx(), c.node, FuseIn.Release.at(c.in, Call.B).fh());
        return c.ok(0);
    }

    private int fsyncdir(Call c) throws Exception {
        FuseIn.Fsync f = FuseIn.Fsync.at(c.in, Call.B);
        fs.fsyncdir(c.ctx(), c.node, f.fh(), f.dataOnly());
        return c.ok(0);
    }

    private int access(Call c) throws Exception {
        fs.access(c.ctx(), c.node, c.in.getInt(Call.B));
        return c.ok(0);
    }

    private int fallocate(Call c) throws Exception {
        FuseIn.Fallocate f = FuseIn.Fallocate.at(c.in, Call.B);
        fs.fallocate(c.ctx(), c.node, f.fh(), f.mode(), f.offset(), f.length());
        return c.ok(0);
    }

    private int lseek(Call c) throws Exception {
        FuseIn.Lseek l = FuseIn.Lseek.at(c.in, Call.B);
        return c.ok(Wire.putLseekOut(c.w.out, OUT_HEADER, fs.lseek(c.ctx(), c.node, l.fh(), l.offset(), l.whence())));
    }

    /** Flags we ask for when the kernel offers them; see docs/fuse-protocol.md for why each. */
    long wantedFlags() {
        long want = InitFlags.ASYNC_READ
                | InitFlags.ATOMIC_O_TRUNC
                | InitFlags.BIG_WRITES
                | InitFlags.DO_READDIRPLUS
                | InitFlags.READDIRPLUS_AUTO
                | InitFlags.PARALLEL_DIROPS
                | InitFlags.MAX_PAGES
                | InitFlags.ASYNC_DIO
                | InitFlags.AUTO_INVAL_DATA
                | InitFlags.CACHE_SYMLINKS
                | InitFlags.DIRECT_IO_ALLOW_MMAP;
        if (writebackCache) {
            want |= InitFlags.WRITEBACK_CACHE;
        }
        if (passthrough) {
            want |= InitFlags.PASSTHROUGH;
        }
        if (fs.clearsSetIdBits()) {
            want |= InitFlags.HANDLE_KILLPRIV_V2;
        }
        return want;
    }

    private int init(RequestBuffers w, int n, long unique) {
        ByteBuffer in = w.in;
        final int b = IN_HEADER;
        need(n, b + 8);
        int major = in.getInt(b);
        int kminor = in.getInt(b + 4);
        if (major > Wire.KERNEL_MAJOR) {
            // The kernel will send a new INIT with our major.
            Wire.putInitOut(w.out, OUT_HEADER, 8, Wire.KERNEL_MAJOR, Wire.KERNEL_MINOR, 0, 0, 0, 0, 0, 0, 0, 0);
            return ok(w, unique, 8);
        }
        if (major < Wire.KERNEL_MAJOR || kminor < MIN_MINOR) {
            LOG.error("kernel FUSE protocol {}.{} is too old (need 7.{})", major, kminor, MIN_MINOR);
            init.completeExceptionally(
                    new FuseMountException("kernel FUSE protocol " + major + "." + kminor + " is too old"));
            return error(w, unique, Errno.EPROTO.code());
        }
        need(n, b + 16);
        int maxReadahead = in.getInt(b + 8);
        long flags = in.getInt(b + 12) & 0xffffffffL;
        if ((flags & InitFlags.INIT_EXT) != 0 && n >= b + 20) {
            flags |= (in.getInt(b + 16) & 0xffffffffL) << 32;
        }
        InitInfo negotiated = InitNegotiation.reply(
                major, kminor, flags, maxReadahead, wantedFlags(), backingFiles, defaultPermissions);
        int size = negotiated.minor() < 23 ? Wire.COMPAT_22_INIT_OUT_SIZE : Wire.INIT_OUT_SIZE;
        InitNegotiation.write(w.out, OUT_HEADER, size, negotiated);
        if (info == null) {
            try {
                fs.init(negotiated);
            } catch (RuntimeException e) {
                init.completeExceptionally(e);
                throw e;
            }
            LOG.info("negotiated {}", negotiated);
            info = negotiated;
            init.complete(negotiated);
        }
        return ok(w, unique, size);
    }
}
