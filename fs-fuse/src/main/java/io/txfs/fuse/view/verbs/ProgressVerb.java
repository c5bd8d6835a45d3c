package io.txfs.fuse.view.verbs;

import io.txfs.control.ControlCommand;
import io.txfs.control.ControlReply;
import io.txfs.control.ControlVerb;
import io.txfs.fuse.RequestContext;
import io.txfs.fuse.view.ProgressFile;

/** {@code progress}: the long works running now. */
final class ProgressVerb implements VerbHandler {
    private final VerbContext context;

    ProgressVerb(VerbContext context) {
        this.context = context;
    }

    @Override
    public ControlReply handle(RequestContext caller, ControlCommand cmd) {
        return ControlReply.ok(ControlVerb.PROGRESS)
                .putNode("running", ProgressFile.json(context.engine().works()));
    }
}
