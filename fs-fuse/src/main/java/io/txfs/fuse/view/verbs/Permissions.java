package io.txfs.fuse.view.verbs;

import io.txfs.control.ControlRefusal;
import io.txfs.control.ControlVerb;
import io.txfs.core.tree.View;
import io.txfs.fuse.RequestContext;
import io.txfs.fuse.view.CallerGroups;
import io.txfs.fuse.view.MountAdministrators;
import io.txfs.sys.Errno;

/** Who may use a verb: a view's own verbs belong to its owner, the mount's to its administrators. */
final class Permissions {
    private Permissions() {}

    static void requireOwner(RequestContext caller, View v, ControlVerb verb) throws ControlRefusal {
        if (caller.uid() != 0 && caller.uid() != v.ownerUid()) {
            throw new ControlRefusal(Errno.EPERM, verb, "view " + v.name() + " belongs to uid " + v.ownerUid());
        }
    }

    /** Flushing writes every view's published work to BACKING: the mount's administrators decide when. */
    static void requireAdministrator(MountAdministrators administrators, RequestContext caller, ControlVerb verb)
            throws ControlRefusal {
        if (!administrators.permit(caller.uid(), CallerGroups.of(caller))) {
            throw new ControlRefusal(
                    Errno.EPERM,
                    verb,
                    verb.word() + " of the mount is for " + administrators.describe() + ", not uid " + caller.uid());
        }
    }
}
