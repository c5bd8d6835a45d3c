package io.txfs.fuse.view.verbs;

import io.txfs.control.ControlCommand;
import io.txfs.control.ControlRefusal;
import io.txfs.control.ControlReply;
import io.txfs.control.ControlVerb;
import io.txfs.core.Engine;
import io.txfs.core.model.RefreshConflictException;
import io.txfs.core.tree.View;
import io.txfs.fuse.RequestContext;
import io.txfs.fuse.view.Views;
import io.txfs.sys.Errno;

/**
 * {@code refresh [view=NAME]}: a rebase onto the newest published state (Engine.refresh), refused with the
 * conflicting paths like a publish. The kernel's caches of the view's nodes are dropped as after a publish.
 */
final class RefreshVerb implements VerbHandler {
    private final VerbContext context;

    RefreshVerb(VerbContext context) {
        this.context = context;
    }

    @Override
    public ControlReply handle(RequestContext caller, ControlCommand cmd) throws ControlRefusal {
        Engine engine = context.engine();
        View v = TargetViews.of(context, caller, cmd);
        if (!Views.notBegun(v)) {
            try {
                context.invalidator().invalidate(v.name(), engine.refresh(v));
            } catch (RefreshConflictException e) {
                throw new ControlRefusal(
                        Errno.EBUSY,
                        ControlReply.error(
                                        cmd.verb(),
                                        "EBUSY",
                                        "refresh of view " + v.name()
                                                + " conflicts with newer published changes; nothing was changed")
                                .put("view", v.name())
                                .putStrings("conflicts", e.paths()));
            }
        }
        return ControlReply.ok(ControlVerb.REFRESH)
                .put("view", v.name())
                .put("snapshot_version", v.info().snapshotVersion())
                .put("published_version", engine.headVersion())
                .put("changed_paths", engine.pendingDelta(v).size());
    }
}
