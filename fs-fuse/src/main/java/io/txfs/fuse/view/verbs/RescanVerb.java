package io.txfs.fuse.view.verbs;

import io.txfs.control.ControlCommand;
import io.txfs.control.ControlRefusal;
import io.txfs.control.ControlReply;
import io.txfs.control.ControlVerb;
import io.txfs.core.Engine;
import io.txfs.core.model.RescanResult;
import io.txfs.fuse.RequestContext;

/**
 * Rescanning writes a published version for every view to see, like a flush writes BACKING: the same
 * people decide when (root, the mount's owner, the --flush-group).
 */
final class RescanVerb implements VerbHandler {
    private final VerbContext context;

    RescanVerb(VerbContext context) {
        this.context = context;
    }

    @Override
    public ControlReply handle(RequestContext caller, ControlCommand cmd) throws ControlRefusal {
        Permissions.requireAdministrator(context.administrators(), caller, cmd.verb());
        Engine engine = context.engine();
        RescanResult r = engine.rescan(); // the engine's listener invalidated what read-committed views cached
        return ControlReply.ok(ControlVerb.RESCAN)
                .put("published_version", engine.headVersion())
                .put("flushed_version", engine.flushedVersion())
                .put("took_in", r.tookIn())
                .put("outside_version", r.version())
                .put("directories_checked", r.directoriesChecked())
                .putStrings("added", r.added())
                .putStrings("changed", r.changed())
                .putStrings("removed", r.removed())
                .putStrings("overridden", r.overridden());
    }
}
