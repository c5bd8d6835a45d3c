package io.txfs.fuse.view.verbs;

import io.txfs.control.ControlCommand;
import io.txfs.control.ControlReply;
import io.txfs.fuse.RequestContext;

/** {@code log [wait]}: the published versions ({@link VersionControl#log}). */
final class LogVerb implements VerbHandler {
    private final VerbContext context;

    LogVerb(VerbContext context) {
        this.context = context;
    }

    @Override
    public ControlReply handle(RequestContext caller, ControlCommand cmd) {
        return context.versions().log(cmd.await());
    }
}
