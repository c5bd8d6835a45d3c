package io.txfs.fuse.view.verbs;

import io.txfs.control.ControlCommand;
import io.txfs.control.ControlRefusal;
import io.txfs.control.ControlReply;
import io.txfs.control.ControlVerb;
import io.txfs.core.tree.View;
import io.txfs.fuse.RequestContext;
import io.txfs.fuse.view.Views;

/** {@code abort [view=NAME] [if_unchanged]}: removes a view with its changes. */
final class AbortVerb implements VerbHandler {
    private final VerbContext context;
    private final ViewRemoval removal;

    AbortVerb(VerbContext context, ViewRemoval removal) {
        this.context = context;
        this.removal = removal;
    }

    @Override
    public ControlReply handle(RequestContext caller, ControlCommand cmd) throws ControlRefusal {
        View v = TargetViews.of(context, caller, cmd);
        if (Views.notBegun(v)) {
            return ControlReply.ok(ControlVerb.ABORT)
                    .put("view", v.name())
                    .put("discarded_paths", 0)
                    .put("removed", false);
        }
        if (cmd.ifUnchanged()) {
            boolean removed = removal.removeIfUnchanged(v);
            return ControlReply.ok(ControlVerb.ABORT)
                    .put("view", v.name())
                    .put("discarded_paths", 0)
                    .put("removed", removed)
                    .put(
                            "changed_paths",
                            removed ? 0 : context.engine().pendingDelta(v).size())
                    .put("changed_bytes", removed ? 0 : v.info().pendingBytes());
        }
        return ControlReply.ok(ControlVerb.ABORT)
                .put("view", v.name())
                .put("discarded_paths", removal.remove(v))
                .put("removed", true);
    }
}
