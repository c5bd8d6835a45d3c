package io.txfs.fuse;

import io.txfs.sys.Errno;
import static io.txfs.fuse.proto.Wire.IN_HEADER;
import static io.txfs.fuse.proto.Wire.OUT_HEADER;

import io.txfs.fuse.proto.InitFlags;
import io.txfs.fuse.proto.Opcode;
import io.txfs.fuse.proto.Wire;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes one request, calls the filesystem, encodes the reply into the worker's out buffer. This is
 * the one place that decides the errno of a reply: a {@link FuseErrnoException} passes its errno, a
 * malformed request gets EINVAL, anything else EIO (logged here, once per request).
 */
final class Dispatcher {
  private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);

  static final int MAX_WRITE = 1 << 20;
  static final int MAX_PAGES = MAX_WRITE / 4096;
  static final int MIN_MINOR = 23;
  private static final int MAX_BACKGROUND = 64;
  private static final int CONGESTION_THRESHOLD = 48;
  private static final int GETATTR_FH = 1;
  private static final int FSYNC_FDATASYNC = 1;
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
  private final java.util.Set<String> loggedFailures = java.util.concurrent.ConcurrentHashMap.newKeySet();

  Dispatcher(FuseFilesystem fs, boolean writebackCache, boolean passthrough) {
    this.fs = fs;
    this.counts = fs.requestCounts();
    this.writebackCache = writebackCache;
    this.passthrough = passthrough;
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
  int handle(Worker w, int n) {
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
      int mapped = mappedErrno(t);
      if (mapped > 0) {
        return error(w, unique, mapped);
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
      LOG.warn("{} on node {} failed unexpectedly again: answered EIO ({})", Opcode.name(opcode), node, t.toString());
    }
  }

  private int mappedErrno(Throwable t) {
    try {
      return fs.errnoOf(t);
    } catch (RuntimeException e) {
      return 0;
    }
  }

  private static int error(Worker w, long unique, int errno) {
    Wire.putOutHeader(w.out, OUT_HEADER, -errno, unique);
    return OUT_HEADER;
  }

  private static int ok(Worker w, long unique, int payload) {
    Wire.putOutHeader(w.out, OUT_HEADER + payload, 0, unique);
    return OUT_HEADER + payload;
  }

  private static void need(int n, int size) {
    if (n < size) {
      throw MALFORMED;
    }
  }

  /** The NUL-terminated string at {@code off}; its terminator must lie before {@code n}. */
  private static int nulAt(Worker w, int off, int n) {
    int z = Wire.nul(w.in, off, n);
    if (z < 0) {
      throw MALFORMED;
    }
    return z;
  }

  private static RequestContext ctx(ByteBuffer in, long unique) {
    return new RequestContext(unique, in.getInt(Wire.IN_UID), in.getInt(Wire.IN_GID), in.getInt(Wire.IN_PID));
  }

  private int dispatch(Worker w, int n, int opcode, long unique, long node) throws Exception {
    ByteBuffer in = w.in;
    ByteBuffer out = w.out;
    final int b = IN_HEADER;
    switch (opcode) {
      case Opcode.INIT:
        return init(w, n, unique);
      case Opcode.LOOKUP: {
        int z = nulAt(w, b, n);
        Entry e = fs.lookup(ctx(in, unique), node, w.string(b, z));
        return ok(w, unique, Wire.putEntryOut(out, OUT_HEADER, e));
      }
      case Opcode.FORGET:
        need(n, b + Wire.FORGET_IN);
        fs.forget(node, in.getLong(b));
        return 0;
      case Opcode.BATCH_FORGET: {
        need(n, b + Wire.BATCH_FORGET_IN);
        int count = in.getInt(b);
        need(n, b + Wire.BATCH_FORGET_IN + count * Wire.FORGET_ONE);
        for (int i = 0, off = b + Wire.BATCH_FORGET_IN; i < count; i++, off += Wire.FORGET_ONE) {
          fs.forget(in.getLong(off), in.getLong(off + 8));
        }
        return 0;
      }
      case Opcode.GETATTR: {
        need(n, b + Wire.GETATTR_IN);
        long fh = (in.getInt(b) & GETATTR_FH) != 0 ? in.getLong(b + 8) : -1;
        AttrReply r = fs.getattr(ctx(in, unique), node, fh);
        return ok(w, unique, Wire.putAttrOut(out, OUT_HEADER, r));
      }
      case Opcode.SETATTR: {
        need(n, b + Wire.SETATTR_IN);
        SetAttr s = new SetAttr(in.getInt(b), in.getLong(b + 8), in.getLong(b + 16), in.getLong(b + 24),
            in.getLong(b + 32), in.getInt(b + 56), in.getLong(b + 40), in.getInt(b + 60),
            in.getLong(b + 48), in.getInt(b + 64), in.getInt(b + 68), in.getInt(b + 76), in.getInt(b + 80));
        AttrReply r = fs.setattr(ctx(in, unique), node, s);
        return ok(w, unique, Wire.putAttrOut(out, OUT_HEADER, r));
      }
      case Opcode.READLINK: {
        byte[] target = Names.encode(fs.readlink(ctx(in, unique), node));
        out.put(OUT_HEADER, target);
        return ok(w, unique, target.length);
      }
      case Opcode.SYMLINK: {
        int z1 = nulAt(w, b, n);
        int z2 = nulAt(w, z1 + 1, n);
        Entry e = fs.symlink(ctx(in, unique), node, w.string(b, z1), w.string(z1 + 1, z2));
        return ok(w, unique, Wire.putEntryOut(out, OUT_HEADER, e));
      }
      case Opcode.MKNOD: {
        need(n, b + Wire.MKNOD_IN);
        int z = nulAt(w, b + Wire.MKNOD_IN, n);
        Entry e = fs.mknod(ctx(in, unique), node, w.string(b + Wire.MKNOD_IN, z), in.getInt(b), in.getInt(b + 4),
            in.getInt(b + 8));
        return ok(w, unique, Wire.putEntryOut(out, OUT_HEADER, e));
      }
      case Opcode.MKDIR: {
        need(n, b + Wire.MKDIR_IN);
        int z = nulAt(w, b + Wire.MKDIR_IN, n);
        Entry e = fs.mkdir(ctx(in, unique), node, w.string(b + Wire.MKDIR_IN, z), in.getInt(b), in.getInt(b + 4));
        return ok(w, unique, Wire.putEntryOut(out, OUT_HEADER, e));
      }
      case Opcode.UNLINK: {
        int z = nulAt(w, b, n);
        fs.unlink(ctx(in, unique), node, w.string(b, z));
        return ok(w, unique, 0);
      }
      case Opcode.RMDIR: {
        int z = nulAt(w, b, n);
        fs.rmdir(ctx(in, unique), node, w.string(b, z));
        return ok(w, unique, 0);
      }
      case Opcode.RENAME:
      case Opcode.RENAME2: {
        int size = opcode == Opcode.RENAME ? Wire.RENAME_IN : Wire.RENAME2_IN;
        need(n, b + size);
        long newDir = in.getLong(b);
        int flags = opcode == Opcode.RENAME ? 0 : in.getInt(b + 8);
        int z1 = nulAt(w, b + size, n);
        int z2 = nulAt(w, z1 + 1, n);
        fs.rename(ctx(in, unique), node, w.string(b + size, z1), newDir, w.string(z1 + 1, z2), flags);
        return ok(w, unique, 0);
      }
      case Opcode.LINK: {
        need(n, b + Wire.LINK_IN);
        int z = nulAt(w, b + Wire.LINK_IN, n);
        Entry e = fs.link(ctx(in, unique), in.getLong(b), node, w.string(b + Wire.LINK_IN, z));
        return ok(w, unique, Wire.putEntryOut(out, OUT_HEADER, e));
      }
      case Opcode.OPEN: {
        need(n, b + Wire.OPEN_IN);
        OpenResult o = fs.open(ctx(in, unique), node, in.getInt(b), in.getInt(b + 4));
        return ok(w, unique, Wire.putOpenOut(out, OUT_HEADER, o));
      }
      case Opcode.CREATE: {
        need(n, b + Wire.CREATE_IN);
        int z = nulAt(w, b + Wire.CREATE_IN, n);
        CreateResult c = fs.create(ctx(in, unique), node, w.string(b + Wire.CREATE_IN, z), in.getInt(b + 4),
            in.getInt(b), in.getInt(b + 8));
        int len = Wire.putEntryOut(out, OUT_HEADER, c.entry());
        len += Wire.putOpenOut(out, OUT_HEADER + len, c.open());
        return ok(w, unique, len);
      }
      case Opcode.READ: {
        need(n, b + Wire.READ_IN);
        int size = in.getInt(b + 16);
        ByteBuffer dst = w.outPayload;
        if (size < 0 || size > dst.capacity()) {
          throw MALFORMED;
        }
        dst.clear().limit(size);
        int got = fs.read(ctx(in, unique), node, in.getLong(b), in.getLong(b + 8), dst);
        if (got < 0 || got > size) {
          throw new IllegalStateException("read returned " + got + " for a " + size + "-byte request");
        }
        return ok(w, unique, got);
      }
      case Opcode.WRITE: {
        need(n, b + Wire.WRITE_IN);
        int size = in.getInt(b + 16);
        if (size < 0) {
          throw MALFORMED;
        }
        need(n, b + Wire.WRITE_IN + size);
        ByteBuffer data = w.writeData;
        data.clear().limit(size);
        int wrote = fs.write(ctx(in, unique), node, in.getLong(b), in.getLong(b + 8), data, in.getInt(b + 20));
        return ok(w, unique, Wire.putSizeOut(out, OUT_HEADER, wrote));
      }
      case Opcode.STATFS: {
        StatFs s = fs.statfs(ctx(in, unique), node);
        return ok(w, unique, Wire.putStatfsOut(out, OUT_HEADER, s));
      }
      case Opcode.RELEASE: {
        need(n, b + Wire.RELEASE_IN);
        fs.release(ctx(in, unique), node, in.getLong(b), in.getInt(b + 8));
        return ok(w, unique, 0);
      }
      case Opcode.FSYNC: {
        need(n, b + Wire.FSYNC_IN);
        fs.fsync(ctx(in, unique), node, in.getLong(b), (in.getInt(b + 8) & FSYNC_FDATASYNC) != 0);
        return ok(w, unique, 0);
      }
      case Opcode.SETXATTR: {
        int size = info.has(InitFlags.SETXATTR_EXT) ? 16 : Wire.SETXATTR_IN_COMPAT;
        need(n, b + size);
        int valueSize = in.getInt(b);
        int z = nulAt(w, b + size, n);
        need(n, z + 1 + valueSize);
        if (valueSize < 0) {
          throw MALFORMED;
        }
        ByteBuffer value = in.duplicate().position(z + 1).limit(z + 1 + valueSize).slice();
        fs.setxattr(ctx(in, unique), node, w.string(b + size, z), value, in.getInt(b + 4));
        return ok(w, unique, 0);
      }
      case Opcode.GETXATTR:
      case Opcode.LISTXATTR: {
        need(n, b + Wire.GETXATTR_IN);
        int size = in.getInt(b);
        ByteBuffer dst = w.outPayload;
        if (size < 0 || size > dst.capacity()) {
          throw MALFORMED;
        }
        dst.clear().limit(size);
        int len;
        if (opcode == Opcode.GETXATTR) {
          int z = nulAt(w, b + Wire.GETXATTR_IN, n);
          len = fs.getxattr(ctx(in, unique), node, w.string(b + Wire.GETXATTR_IN, z), dst);
        } else {
          len = fs.listxattr(ctx(in, unique), node, dst);
        }
        if (size == 0) {
          return ok(w, unique, Wire.putSizeOut(out, OUT_HEADER, len));
        }
        if (len > size) {
          return error(w, unique, ERANGE);
        }
        return ok(w, unique, len);
      }
      case Opcode.REMOVEXATTR: {
        int z = nulAt(w, b, n);
        fs.removexattr(ctx(in, unique), node, w.string(b, z));
        return ok(w, unique, 0);
      }
      case Opcode.FLUSH: {
        need(n, b + Wire.FLUSH_IN);
        fs.flush(ctx(in, unique), node, in.getLong(b), in.getLong(b + 16));
        return ok(w, unique, 0);
      }
      case Opcode.OPENDIR: {
        need(n, b + Wire.OPEN_IN);
        OpenResult o = fs.opendir(ctx(in, unique), node, in.getInt(b));
        return ok(w, unique, Wire.putOpenOut(out, OUT_HEADER, o));
      }
      case Opcode.READDIR:
      case Opcode.READDIRPLUS: {
        need(n, b + Wire.READ_IN);
        int size = in.getInt(b + 16);
        if (size < 0) {
          throw MALFORMED;
        }
        boolean plus = opcode == Opcode.READDIRPLUS;
        w.startDir(plus, size);
        if (plus) {
          fs.readdirplus(ctx(in, unique), node, in.getLong(b), in.getLong(b + 8), w);
        } else {
          fs.readdir(ctx(in, unique), node, in.getLong(b), in.getLong(b + 8), w);
        }
        return ok(w, unique, w.dirEnd() - OUT_HEADER);
      }
      case Opcode.RELEASEDIR: {
        need(n, b + Wire.RELEASE_IN);
        fs.releasedir(ctx(in, unique), node, in.getLong(b));
        return ok(w, unique, 0);
      }
      case Opcode.FSYNCDIR: {
        need(n, b + Wire.FSYNC_IN);
        fs.fsyncdir(ctx(in, unique), node, in.getLong(b), (in.getInt(b + 8) & FSYNC_FDATASYNC) != 0);
        return ok(w, unique, 0);
      }
      case Opcode.ACCESS: {
        need(n, b + Wire.ACCESS_IN);
        fs.access(ctx(in, unique), node, in.getInt(b));
        return ok(w, unique, 0);
      }
      case Opcode.INTERRUPT:
        // Requests run to completion; the kernel copes with a late reply to an interrupted one.
        return 0;
      case Opcode.DESTROY:
        return ok(w, unique, 0);
      case Opcode.FALLOCATE: {
        need(n, b + Wire.FALLOCATE_IN);
        fs.fallocate(ctx(in, unique), node, in.getLong(b), in.getInt(b + 24), in.getLong(b + 8), in.getLong(b + 16));
        return ok(w, unique, 0);
      }
      case Opcode.LSEEK: {
        need(n, b + Wire.LSEEK_IN);
        long off = fs.lseek(ctx(in, unique), node, in.getLong(b), in.getLong(b + 8), in.getInt(b + 16));
        return ok(w, unique, Wire.putLseekOut(out, OUT_HEADER, off));
      }
      default:
        return error(w, unique, Errno.ENOSYS.code());
    }
  }

  /** Flags we ask for when the kernel offers them; see docs/fuse-protocol.md for why each. */
  long wantedFlags() {
    long want = InitFlags.ASYNC_READ | InitFlags.ATOMIC_O_TRUNC | InitFlags.BIG_WRITES
        | InitFlags.DO_READDIRPLUS | InitFlags.READDIRPLUS_AUTO | InitFlags.PARALLEL_DIROPS
        | InitFlags.MAX_PAGES | InitFlags.ASYNC_DIO | InitFlags.AUTO_INVAL_DATA | InitFlags.CACHE_SYMLINKS
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

  private int init(Worker w, int n, long unique) {
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
      init.completeExceptionally(new FuseMountException("kernel FUSE protocol " + major + "." + kminor + " is too old"));
      return error(w, unique, Errno.EPROTO.code());
    }
    need(n, b + 16);
    int maxReadahead = in.getInt(b + 8);
    long flags = in.getInt(b + 12) & 0xffffffffL;
    if ((flags & InitFlags.INIT_EXT) != 0 && n >= b + 20) {
      flags |= (in.getInt(b + 16) & 0xffffffffL) << 32;
    }
    int minor = Math.min(kminor, Wire.KERNEL_MINOR);
    long reply = flags & wantedFlags();
    int maxStackDepth = 0;
    if ((reply & InitFlags.PASSTHROUGH) != 0) {
      maxStackDepth = 1;
    }
    if ((reply >>> 32) != 0) {
      reply |= InitFlags.INIT_EXT;
    }
    int maxPages = (reply & InitFlags.MAX_PAGES) != 0 ? MAX_PAGES : 32;
    int maxWrite = (reply & InitFlags.MAX_PAGES) != 0 ? MAX_WRITE : 32 * 4096;
    int size = minor < 23 ? Wire.COMPAT_22_INIT_OUT_SIZE : Wire.INIT_OUT_SIZE;
    Wire.putInitOut(w.out, OUT_HEADER, size, Wire.KERNEL_MAJOR, minor, maxReadahead, reply, MAX_BACKGROUND,
        CONGESTION_THRESHOLD, maxWrite, 1, maxPages, maxStackDepth);
    InitInfo negotiated = new InitInfo(major, kminor, minor, flags, reply, maxWrite, maxReadahead, maxPages,
        MAX_BACKGROUND, CONGESTION_THRESHOLD, maxStackDepth, backingFiles, defaultPermissions);
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
