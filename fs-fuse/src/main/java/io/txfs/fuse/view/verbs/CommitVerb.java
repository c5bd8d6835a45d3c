package io.txfs.fuse.view.verbs;

import io.txfs.control.ControlCommand;
import io.txfs.control.ControlRefusal;
import io.txfs.control.ControlReply;
import io.txfs.control.ControlVerb;
import io.txfs.fuse.RequestContext;

/**
 * {@code commit}: publish, then flush, in one reply. Its own class rather than a mode of publish: it
 * checks the flush permission first, and only the publish step is shared.
 */
final class CommitVerb implements VerbHandler {
    private final VerbContext context;
    private final PublishVerb publish;

    CommitVerb(VerbContext context, PublishVerb publish) {
        this.context = context;
        this.publish = publish;
    }

    @Override
    public ControlReply handle(RequestContext caller, ControlCommand cmd) throws ControlRefusal {
        // refused before the publish: a commit that cannot flush does nothing
        Permissions.requireAdministrator(context.administrators(), caller, cmd.verb());
        ControlReply published = publish.publish(caller, cmd, ControlVerb.COMMIT);
        return Flushing.flushed(published, Flushing.flushOrRefuse(context.engine(), ControlVerb.COMMIT));
    }
}
