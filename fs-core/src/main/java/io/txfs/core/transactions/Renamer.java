package io.txfs.core.transactions;

import io.txfs.core.format.EntryName;
import io.txfs.core.format.Keys;
import io.txfs.core.format.NodeRecord;
import io.txfs.core.model.EngineConstants;
import io.txfs.core.model.FsException;
import io.txfs.core.model.NameRules;
import io.txfs.core.tree.BackingImport;
import io.txfs.core.tree.EngineParts;
import io.txfs.core.tree.EngineState;
import io.txfs.core.tree.LayeredTree;
import io.txfs.core.tree.ViewOperation;
import io.txfs.sys.Errno;
import java.util.Arrays;

/** rename and rename2 (RENAME_NOREPLACE, RENAME_EXCHANGE) with the errors Linux gives. */
final class Renamer {
    private final EngineState state;
    private final LayeredTree tree;
    private final BackingImport imports;
    private final ViewOperation c;

    Renamer(EngineParts parts, ViewOperation c) {
        this.state = parts.state();
        this.tree = parts.tree();
        this.imports = parts.imports();
        this.c = c;
    }

    void rename(long op, byte[] on, long np, byte[] nn, int flags) {
        boolean noReplace = (flags & EngineConstants.RENAME_NOREPLACE) != 0;
        boolean exchange = (flags & EngineConstants.RENAME_EXCHANGE) != 0;
        if ((flags & ~3) != 0 || (noReplace && exchange)) throw new FsException(Errno.EINVAL, "bad rename flags");
        tree.dir(c, op);
        tree.dir(c, np);
        NameRules.checkName(on);
        NameRules.checkName(nn);
        if (NameRules.isDotOrDotDot(on) || NameRules.isDotOrDotDot(nn))
            throw new FsException(Errno.EBUSY, "rename of '.' or '..'");
        if ((op == EngineConstants.ROOT && Arrays.equals(on, NameRules.RESERVED))
                || (np == EngineConstants.ROOT && Arrays.equals(nn, NameRules.RESERVED))) {
            throw new FsException(Errno.EPERM, ".txfs is reserved");
        }
        long src = tree.child(c, op, on);
        if (src == 0) throw new FsException(Errno.ENOENT, NameRules.utf8(on));
        long dst = tree.child(c, np, nn);
        if (exchange && dst == 0) throw new FsException(Errno.ENOENT, NameRules.utf8(nn));
        if (noReplace && dst != 0) throw new FsException(Errno.EEXIST, NameRules.utf8(nn));
        if (src == dst) return;
        NodeRecord s = tree.mutable(c, src);
        if (s.isDir()) requireNotInside(np, src);
        NodeRecord d = dst == 0 ? null : tree.mutable(c, dst);
        if (exchange) {
            if (d.isDir()) requireNotInside(op, dst);
            relink(src, s, op, on, np, nn);
            relink(dst, d, np, nn, op, on);
        } else {
            if (d != null) {
                if (s.isDir() && !d.isDir())
                    throw new FsException(Errno.ENOTDIR, NameRules.utf8(nn) + " is not a directory");
                if (!s.isDir() && d.isDir())
                    throw new FsException(Errno.EISDIR, NameRules.utf8(nn) + " is a directory");
                if (d.isDir()) {
                    imports.ensureImported(dst, d);
                    if (!tree.entries(c, dst).isEmpty()) throw new FsException(Errno.ENOTEMPTY, NameRules.utf8(nn));
                }
                d.links.remove(new EntryName(np, nn));
                d.nlink = d.isDir() ? 0 : Math.max(0, d.nlink - 1);
                d.ctime = state.clock.nowNanos();
                tree.key(c, Keys.conflictKey('N', dst));
                if (d.isDir()) tree.key(c, Keys.conflictKey('R', dst));
            }
            relink(src, s, op, on, np, nn);
            tree.putDent(c, op, on, 0, s.type);
        }
        state.touch(c, tree.mutable(c, op));
        if (np != op) state.touch(c, tree.mutable(c, np));
    }

    /** Node id moves from (op, on) to (np, nn); the caller fixes the old entry. */
    private void relink(long id, NodeRecord r, long op, byte[] on, long np, byte[] nn) {
        int i = r.links.indexOf(new EntryName(op, on));
        if (i >= 0) r.links.set(i, new EntryName(np, nn));
        else r.links.add(new EntryName(np, nn));
        r.ctime = state.clock.nowNanos();
        tree.putDent(c, np, nn, id, r.type);
        tree.keyEntry(c, op, on);
        tree.keyEntry(c, np, nn);
        tree.key(c, Keys.conflictKey('N', id));
        if (r.isDir()) tree.key(c, Keys.conflictKey('R', id));
    }

    /** EINVAL when directory dir is target or one of its ancestors (a directory into its own subtree). */
    private void requireNotInside(long target, long dir) {
        long cur = target;
        int guard = 0;
        while (true) {
            if (cur == dir) throw new FsException(Errno.EINVAL, "directory moved into its own subtree");
            if (cur == EngineConstants.ROOT || guard++ > 4096) return;
            NodeRecord r = tree.node(c, cur);
            if (r == null || r.links.isEmpty()) return;
            cur = r.link().parent();
        }
    }
}
