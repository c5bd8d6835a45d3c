package io.txfs.core;

import io.txfs.sys.Errno;
import java.util.Arrays;

/** rename and rename2 (RENAME_NOREPLACE, RENAME_EXCHANGE) with the errors Linux gives. */
final class Renamer {
    private final Engine engine;
    private final ViewOperation c;

    Renamer(Engine e, ViewOperation c) {
        this.engine = e;
        this.c = c;
    }

    void rename(long op, byte[] on, long np, byte[] nn, int flags) {
        boolean noReplace = (flags & Engine.RENAME_NOREPLACE) != 0;
        boolean exchange = (flags & Engine.RENAME_EXCHANGE) != 0;
        if ((flags & ~3) != 0 || (noReplace && exchange)) throw new FsException(Errno.EINVAL, "bad rename flags");
        engine.dir(c, op);
        engine.dir(c, np);
        Engine.checkName(on);
        Engine.checkName(nn);
        if (Engine.isDotOrDotDot(on) || Engine.isDotOrDotDot(nn))
            throw new FsException(Errno.EBUSY, "rename of '.' or '..'");
        if ((op == Engine.ROOT && Arrays.equals(on, Engine.RESERVED))
                || (np == Engine.ROOT && Arrays.equals(nn, Engine.RESERVED))) {
            throw new FsException(Errno.EPERM, ".txfs is reserved");
        }
        long src = engine.child(c, op, on);
        if (src == 0) throw new FsException(Errno.ENOENT, Engine.utf8(on));
        long dst = engine.child(c, np, nn);
        if (exchange && dst == 0) throw new FsException(Errno.ENOENT, Engine.utf8(nn));
        if (noReplace && dst != 0) throw new FsException(Errno.EEXIST, Engine.utf8(nn));
        if (src == dst) return;
        NodeRecord s = engine.mutable(c, src);
        if (s.isDir()) requireNotInside(np, src);
        NodeRecord d = dst == 0 ? null : engine.mutable(c, dst);
        if (exchange) {
            if (d.isDir()) requireNotInside(op, dst);
            relink(src, s, op, on, np, nn);
            relink(dst, d, np, nn, op, on);
        } else {
            if (d != null) {
                if (s.isDir() && !d.isDir())
                    throw new FsException(Errno.ENOTDIR, Engine.utf8(nn) + " is not a directory");
                if (!s.isDir() && d.isDir()) throw new FsException(Errno.EISDIR, Engine.utf8(nn) + " is a directory");
                if (d.isDir()) {
                    engine.ensureImported(dst, d);
                    if (!engine.entries(c, dst).isEmpty()) throw new FsException(Errno.ENOTEMPTY, Engine.utf8(nn));
                }
                d.links.remove(new EntryName(np, nn));
                d.nlink = d.isDir() ? 0 : Math.max(0, d.nlink - 1);
                d.ctime = engine.clock.nowNanos();
                engine.key(c, Keys.conflictKey('N', dst));
                if (d.isDir()) engine.key(c, Keys.conflictKey('R', dst));
            }
            relink(src, s, op, on, np, nn);
            engine.putDent(c, op, on, 0, s.type);
        }
        engine.touch(engine.mutable(c, op));
        if (np != op) engine.touch(engine.mutable(c, np));
    }

    /** Node id moves from (op, on) to (np, nn); the caller fixes the old entry. */
    private void relink(long id, NodeRecord r, long op, byte[] on, long np, byte[] nn) {
        int i = r.links.indexOf(new EntryName(op, on));
        if (i >= 0) r.links.set(i, new EntryName(np, nn));
        else r.links.add(new EntryName(np, nn));
        r.ctime = engine.clock.nowNanos();
        engine.putDent(c, np, nn, id, r.type);
        engine.keyEntry(c, op, on);
        engine.keyEntry(c, np, nn);
        engine.key(c, Keys.conflictKey('N', id));
        if (r.isDir()) engine.key(c, Keys.conflictKey('R', id));
    }

    /** EINVAL when directory dir is target or one of its ancestors (a directory into its own subtree). */
    private void requireNotInside(long target, long dir) {
        long cur = target;
        int guard = 0;
        while (true) {
            if (cur == dir) throw new FsException(Errno.EINVAL, "directory moved into its own subtree");
            if (cur == Engine.ROOT || guard++ > 4096) return;
            NodeRecord r = engine.node(c, cur);
            if (r == null || r.links.isEmpty()) return;
            cur = r.link().parent();
        }
    }
}
