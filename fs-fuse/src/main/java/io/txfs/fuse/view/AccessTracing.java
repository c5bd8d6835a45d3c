package io.txfs.fuse.view;

import io.txfs.core.Engine;
import io.txfs.core.trace.AccessKind;
import io.txfs.core.trace.AccessTraces;
import io.txfs.core.tree.View;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Notes what traced views do, by path (docs/reproducibility.md, "Access traces"). For a view that records
 * nothing each call is one map lookup. Names an operation creates or removes are noted by their parent's
 * path and the name, so a removal is noted while its parent still has a path.
 */
final class AccessTracing {
    /** FMODE_EXEC, which the kernel leaves in the flags of the open that execve makes (fs/exec.c). */
    static final int FMODE_EXEC = 0x20;

    /** Paths cached per traced view; past this many the view's are dropped and found again. */
    private static final int MAX_CACHED = 100_000;

    private final Engine engine;
    private final AccessTraces traces;
    /**
     * Per traced view, node id to path: a traced build resolves the same directories over and over, and
     * walking up the records each time made every traced operation cost a walk. Node ids are never reused,
     * so only a rename (or a removed directory) makes an entry wrong: both drop the view's cache.
     */
    private final Map<Long, Map<Long, byte[]>> paths = new ConcurrentHashMap<>();

    AccessTracing(Engine engine) {
        this.engine = engine;
        this.traces = engine.traces();
    }

    void node(View v, long ino, AccessKind kind) {
        if (!traces.traced(v.id)) return;
        byte[] path = pathOf(v, ino);
        if (path != null) traces.note(v.id, kind, path);
    }

    void child(View v, long parent, byte[] name, AccessKind kind) {
        child(v, parent, name, 0, kind);
    }

    /** {@code child}: the node the name leads to, when known (its path is cached for the next access), or 0. */
    void child(View v, long parent, byte[] name, long child, AccessKind kind) {
        if (!traces.traced(v.id)) return;
        byte[] dir = pathOf(v, parent);
        if (dir == null) return;
        byte[] path = new byte[dir.length == 0 ? name.length : dir.length + 1 + name.length];
        System.arraycopy(dir, 0, path, 0, dir.length);
        if (dir.length > 0) path[dir.length] = '/';
        System.arraycopy(name, 0, path, dir.length == 0 ? 0 : dir.length + 1, name.length);
        if (child != 0) cache(v).put(child, path);
        traces.note(v.id, kind, path);
    }

    /** A rename or a removed directory changed paths in the view: forget the cached ones. */
    void pathsChanged(View v) {
        Map<Long, byte[]> m = paths.get(v.id);
        if (m != null) m.clear();
    }

    private Map<Long, byte[]> cache(View v) {
        Map<Long, byte[]> m = paths.computeIfAbsent(v.id, id -> new ConcurrentHashMap<>());
        if (m.size() > MAX_CACHED) m.clear();
        return m;
    }

    private byte[] pathOf(View v, long ino) {
        Map<Long, byte[]> m = cache(v);
        byte[] p = m.get(ino);
        if (p == null) {
            p = engine.pathBytes(v, ino);
            if (p != null) m.put(ino, p);
        }
        return p;
    }

    /** The kind of an open: an exec, a read, or a write (any open for writing). */
    static AccessKind ofOpen(int flags) {
        if ((flags & 3) != 0) return AccessKind.WRITE;
        return (flags & FMODE_EXEC) != 0 ? AccessKind.EXEC : AccessKind.READ;
    }
}
