package io.txfs.fuse.view.verbs;

import io.txfs.control.ControlCommand;
import io.txfs.control.ControlRefusal;
import io.txfs.control.ControlReply;
import io.txfs.control.ControlVerb;
import io.txfs.core.Engine;
import io.txfs.core.model.PublishConflictException;
import io.txfs.core.model.PublishResult;
import io.txfs.core.tree.View;
import io.txfs.fuse.RequestContext;
import io.txfs.fuse.view.Views;
import io.txfs.sys.Errno;
import java.util.List;

/** {@code publish [view=NAME] [force]}: makes a view's changes the newest published version. */
final class PublishVerb implements VerbHandler {
    private final VerbContext context;
    private final ViewRemoval removal;

    PublishVerb(VerbContext context, ViewRemoval removal) {
        this.context = context;
        this.removal = removal;
    }

    @Override
    public ControlReply handle(RequestContext caller, ControlCommand cmd) throws ControlRefusal {
        return publish(caller, cmd, ControlVerb.PUBLISH);
    }

    /** The publish of {@code verb}: publish itself, or the first half of commit (its replies name the verb). */
    ControlReply publish(RequestContext caller, ControlCommand cmd, ControlVerb verb) throws ControlRefusal {
        Engine engine = context.engine();
        View v = TargetViews.of(context, caller, cmd);
        if (Views.notBegun(v)) {
            // a session that never wrote has nothing to publish: no version is made
            return ControlReply.ok(verb)
                    .put("view", v.name())
                    .put("changed_paths", 0)
                    .put("changed_bytes", 0)
                    .put("published_version", engine.headVersion())
                    .putStrings("overridden", List.of())
                    .putStrings("kept", List.of());
        }
        PublishResult r;
        try {
            r = engine.publish(v, cmd.force(), cmd.merge().isPresent());
        } catch (PublishConflictException e) {
            String against = v.isChild()
                    ? "changes its parent view " + engine.parentOf(v).name() + " took since it began"
                    : "newer published changes";
            throw new ControlRefusal(
                    Errno.EBUSY,
                    ControlReply.error(
                                    verb,
                                    "EBUSY",
                                    "publish of view " + v.name() + " conflicts with " + against
                                            + "; nothing was published")
                            .put("view", v.name())
                            .putStrings("conflicts", e.paths()));
        }
        // every view, this one included, was told through the engine's listener before publish returned
        // overridden/kept: what a forced publish did to others' changes and to its own (docs/publish-force.md)
        ControlReply reply = ControlReply.ok(verb);
        if (v.isChild()) reply.put("merged_into", engine.parentOf(v).name()); // only then, no version made
        return reply.put("view", r.view())
                .put("changed_paths", r.changedPaths())
                .put("changed_bytes", r.bytes())
                .put("published_version", r.version())
                .putStrings("overridden", r.overridden())
                .putStrings("kept", r.kept())
                .put("removed", removal.removeIfAbandoned(v));
    }
}
