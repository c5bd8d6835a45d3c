package io.txfs.core.inspect.engine;

import io.txfs.core.inspect.EntryKind;
import io.txfs.core.inspect.EntryStat;
import io.txfs.core.inspect.ForwardingTreeSource;
import io.txfs.core.inspect.Name;
import io.txfs.core.inspect.TreePath;
import io.txfs.core.inspect.TreeSource;
import io.txfs.core.inspect.access.AccessIdentity;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A source read on behalf of a caller: the daemon runs as root, so hashing or diffing for a user must
 * not read what that user could not (a blob id of a file one cannot read confirms a guess of its
 * content). The rules are the kernel's mode-bit checks (generic_permission, no ACLs or capabilities):
 * every ancestor directory needs search (x), listing a directory needs read (r), reading a file's
 * content or any entry's xattrs needs read. Refusals are {@link AccessDeniedException}. Uid 0 passes.
 */
public final class CallerAccessTreeSource extends ForwardingTreeSource {
    private static final int R = 4;
    private static final int X = 1;
    private final long uid;
    private final Set<Long> gids;
    private final Map<TreePath, Boolean> searchable = new ConcurrentHashMap<>();

    /** {@code gids}: the caller's primary and supplementary groups. */
    public CallerAccessTreeSource(TreeSource inner, long uid, Set<Long> gids) {
        super(inner);
        this.uid = uid;
        this.gids = Set.copyOf(gids);
    }

    /** A source that checks for {@code uid}, or {@code inner} itself for root. */
    public static TreeSource forCaller(TreeSource inner, long uid, Set<Long> gids) {
        return uid == 0 ? inner : new CallerAccessTreeSource(inner, uid, gids);
    }

    private boolean allows(EntryStat s, int bits) {
        return (AccessIdentity.granted(uid, gids, s.permissions(), s.uid(), s.gid()) & bits) == bits;
    }

    /** Search permission on every directory from the root down to {@code path}'s parent. */
    private void requireSearch(TreePath path) throws IOException {
        if (path.isRoot()) {
            return;
        }
        TreePath dir = path.parent();
        requireSearch(dir);
        Boolean ok = searchable.get(dir);
        if (ok == null) {
            ok = allows(inner.stat(dir), X);
            searchable.put(dir, ok);
        }
        if (!ok) {
            throw new AccessDeniedException(dir.toString(), null, "no search permission for uid " + uid);
        }
    }

    private void requireRead(TreePath path, EntryStat s) throws IOException {
        if (!allows(s, R)) {
            throw new AccessDeniedException(path.toString(), null, "no read permission for uid " + uid);
        }
    }

    @Override
    public List<Name> list(TreePath dir) throws IOException {
        requireSearch(dir);
        requireRead(dir, inner.stat(dir));
        return inner.list(dir);
    }

    @Override
    public EntryStat stat(TreePath path) throws IOException {
        requireSearch(path);
        return inner.stat(path);
    }

    @Override
    public SortedMap<Name, byte[]> xattrs(TreePath path) throws IOException {
        requireSearch(path);
        EntryStat s = inner.stat(path);
        if (s.kind() != EntryKind.SYMLINK) {
            requireRead(path, s);
        }
        return inner.xattrs(path);
    }

    @Override
    public InputStream open(TreePath path) throws IOException {
        requireSearch(path);
        requireRead(path, inner.stat(path));
        return inner.open(path);
    }

    @Override
    public byte[] readLink(TreePath path) throws IOException {
        requireSearch(path);
        return inner.readLink(path);
    }
}
