package io.txfs.fuse.view;

import io.txfs.core.Engine;
import io.txfs.core.trace.AccessKind;
import io.txfs.core.trace.AccessTraces;
import io.txfs.core.tree.View;

/**
 * Notes what traced views do, by path (docs/reproducibility.md, "Access traces"). For a view that records
 * nothing each call is one map lookup. Names an operation creates or removes are noted by their parent's
 * path and the name, so a removal is noted while its parent still has a path.
 */
final class AccessTracing {
    /** FMODE_EXEC, which the kernel leaves in the flags of the open that execve makes (fs/exec.c). */
    static final int FMODE_EXEC = 0x20;

    private final Engine engine;
    private final AccessTraces traces;

    AccessTracing(Engine engine) {
        this.engine = engine;
        this.traces = engine.traces();
    }

    void node(View v, long ino, AccessKind kind) {
        if (!traces.traced(v.id)) return;
        byte[] path = engine.pathBytes(v, ino);
        if (path != null) traces.note(v.id, kind, path);
    }

    void child(View v, long parent, byte[] name, AccessKind kind) {
        if (!traces.traced(v.id)) return;
        byte[] dir = engine.pathBytes(v, parent);
        if (dir == null) return;
        byte[] path = new byte[dir.length == 0 ? name.length : dir.length + 1 + name.length];
        System.arraycopy(dir, 0, path, 0, dir.length);
        if (dir.length > 0) path[dir.length] = '/';
        System.arraycopy(name, 0, path, dir.length == 0 ? 0 : dir.length + 1, name.length);
        traces.note(v.id, kind, path);
    }

    /** The kind of an open: an exec, a read, or a write (any open for writing). */
    static AccessKind ofOpen(int flags) {
        if ((flags & 3) != 0) return AccessKind.WRITE;
        return (flags & FMODE_EXEC) != 0 ? AccessKind.EXEC : AccessKind.READ;
    }
}
