package io.txfs.fuse.view;

import io.txfs.core.Engine;
import io.txfs.core.model.AttributeChange;
import io.txfs.core.model.NodeAttributes;
import io.txfs.core.tree.View;
import io.txfs.fuse.RequestContext;

/** The set-id bits a change clears, since the views clear them themselves (FuseFilesystem.clearsSetIdBits). */
final class SetIdBits {
    private SetIdBits() {}

    /**
     * Clears setuid/setgid as the VFS does for an unprivileged write, truncate or chown
     * (setattr_should_drop_sgid): setuid always; setgid when the file is group-executable, or when the
     * caller is not in the file's group (setgid without group-execute marks mandatory locking, which
     * only outsiders lose).
     */
    static void clear(Engine engine, RequestContext ctx, View v, long ino) {
        NodeAttributes a = engine.getattr(v, ino);
        int perm = a.perm();
        if ((perm & 06000) == 0) {
            return;
        }
        int kept = perm & ~04000;
        if ((perm & 02000) != 0
                && ((perm & 010) != 0
                        || (ctx.uid() != 0 && !CallerGroups.of(ctx).contains(Integer.toUnsignedLong(a.gid()))))) {
            kept &= ~02000;
        }
        if (kept != perm) {
            engine.setattr(v, ino, AttributeChange.perm(kept));
        }
    }
}
