package io.txfs.fuse.view.verbs;

import io.txfs.control.ControlCommand;
import io.txfs.control.ControlRefusal;
import io.txfs.control.ControlReply;
import io.txfs.control.ControlVerb;
import io.txfs.core.model.GcReport;
import io.txfs.fuse.RequestContext;

/** Collecting and compacting works on the whole mount's state: the mount's administrators decide when. */
final class GcVerb implements VerbHandler {
    private final VerbContext context;

    GcVerb(VerbContext context) {
        this.context = context;
    }

    @Override
    public ControlReply handle(RequestContext caller, ControlCommand cmd) throws ControlRefusal {
        Permissions.requireAdministrator(context.administrators(), caller, cmd.verb());
        GcReport r = context.engine().gc();
        return ControlReply.ok(ControlVerb.GC)
                .put("bytes_before", r.bytesBefore())
                .put("bytes_after", r.bytesAfter())
                .put("reclaimed_bytes", r.reclaimed())
                .put("millis", r.millis())
                .put("node_versions", r.deleted().nodeVersions())
                .put("entry_versions", r.deleted().entryVersions())
                .put("chunks", r.deleted().chunks())
                .put("preserved_copies", r.deleted().preservedCopies());
    }
}
