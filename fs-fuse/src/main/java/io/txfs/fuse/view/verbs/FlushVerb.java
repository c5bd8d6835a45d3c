package io.txfs.fuse.view.verbs;

import io.txfs.control.ControlCommand;
import io.txfs.control.ControlRefusal;
import io.txfs.control.ControlReply;
import io.txfs.control.ControlVerb;
import io.txfs.fuse.RequestContext;

/** {@code flush}: writes the published state to BACKING, for the mount's administrators. */
final class FlushVerb implements VerbHandler {
    private final VerbContext context;

    FlushVerb(VerbContext context) {
        this.context = context;
    }

    @Override
    public ControlReply handle(RequestContext caller, ControlCommand cmd) throws ControlRefusal {
        Permissions.requireAdministrator(context.administrators(), caller, cmd.verb());
        return Flushing.flushed(
                ControlReply.ok(ControlVerb.FLUSH), Flushing.flushOrRefuse(context.engine(), ControlVerb.FLUSH));
    }
}
