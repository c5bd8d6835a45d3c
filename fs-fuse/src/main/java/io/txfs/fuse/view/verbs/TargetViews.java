package io.txfs.fuse.view.verbs;

import io.txfs.control.ControlCommand;
import io.txfs.control.ControlRefusal;
import io.txfs.core.Engine;
import io.txfs.core.model.FsException;
import io.txfs.core.tree.View;
import io.txfs.fuse.FuseErrnoException;
import io.txfs.fuse.RequestContext;
import io.txfs.fuse.view.Views;
import io.txfs.sys.Errno;

/** The view a command is about. */
final class TargetViews {
    private TargetViews() {}

    /** The view a command names, or the caller's own; naming another's view needs its uid or root. */
    static View of(VerbContext context, RequestContext caller, ControlCommand cmd) throws ControlRefusal {
        Engine engine = context.engine();
        Views views = context.views();
        View v;
        if (cmd.view().isPresent()) {
            try {
                v = engine.view(cmd.view().get());
            } catch (FsException e) {
                throw new ControlRefusal(
                        Errno.ENOENT, cmd.verb(), "no view " + cmd.view().get());
            }
        } else {
            try {
                v = views.forCaller(caller);
            } catch (FuseErrnoException e) {
                throw new ControlRefusal(Errno.EPERM, cmd.verb(), e.getMessage());
            }
        }
        Permissions.requireOwner(caller, v, cmd.verb());
        return v;
    }
}
