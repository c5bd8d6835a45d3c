package io.txfs.fuse.view.verbs;

import io.txfs.control.ControlCommand;
import io.txfs.control.ControlRefusal;
import io.txfs.control.ControlReply;
import io.txfs.control.ControlVerb;
import io.txfs.core.tree.View;
import io.txfs.fuse.RequestContext;
import io.txfs.sys.Errno;

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
        View v = TargetViews.of(context, caller, cmd);
        if (v.isChild()) {
            throw new ControlRefusal(
                    Errno.EINVAL,
                    cmd.verb(),
                    "view " + v.name() + " was begun inside "
                            + context.engine().parentOf(v).name()
                            + ": its publish goes into that view, which nothing flushes; publish it, then commit "
                            + context.engine().parentOf(v).name());
        }
        ControlReply published = publish.publish(caller, cmd, ControlVerb.COMMIT);
        return Flushing.flushed(published, Flushing.flushOrRefuse(context.engine(), ControlVerb.COMMIT));
    }
}
