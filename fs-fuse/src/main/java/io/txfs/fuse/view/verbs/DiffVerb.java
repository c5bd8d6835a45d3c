package io.txfs.fuse.view.verbs;

import io.txfs.control.ControlCommand;
import io.txfs.control.ControlRefusal;
import io.txfs.control.ControlReply;
import io.txfs.control.ControlVerb;
import io.txfs.core.Engine;
import io.txfs.core.ViewDiff;
import io.txfs.core.inspect.delta.Delta;
import io.txfs.core.inspect.delta.DeltaEntry;
import io.txfs.core.model.Caller;
import io.txfs.core.tree.View;
import io.txfs.fuse.RequestContext;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;

/**
 * {@code diff}: a view's pending changes, or with {@code from=} the change between two states: versions of the
 * log, checkpoints of a view ({@code cp:NAME}) or the view now ({@code current}).
 */
final class DiffVerb implements VerbHandler {
    private final VerbContext context;

    DiffVerb(VerbContext context) {
        this.context = context;
    }

    @Override
    public ControlReply handle(RequestContext caller, ControlCommand cmd) throws ControlRefusal {
        if (cmd.from().isPresent()) {
            if (ControlCommand.isViewState(cmd.from().get())
                    || ControlCommand.isViewState(cmd.to().get())) {
                return context.versions().diffInView(caller, cmd, TargetViews.of(context, caller, cmd));
            }
            return context.versions().diff(caller, cmd);
        }
        Engine engine = context.engine();
        View v = TargetViews.of(context, caller, cmd);
        Normalization normalization = Normalization.of(cmd);
        if (cmd.format().orElse("text").equals("jsonl")) {
            Delta d = CanonicalDeltas.of(engine, caller, cmd, v, engine.pendingDelta(v), normalization);
            return normalization
                    .describe(ControlReply.ok(ControlVerb.DIFF))
                    .put("view", v.name())
                    .put("format", "jsonl")
                    .put("objects", d.format().gitName())
                    .put("delta_id", d.id().hex())
                    .put("changed_paths", d.entries().size())
                    .put("jsonl", new String(d.canonicalBytes(), StandardCharsets.UTF_8));
        }
        Caller who = new Caller(caller.uid(), caller.gid());
        if (cmd.normalize().isEmpty()) {
            return ControlReply.ok(ControlVerb.DIFF)
                    .put("view", v.name())
                    .put("diff", ViewDiff.unified(engine, v, who));
        }
        // the paths still changed once normalized, shown as they are (a signature-only change vanishes)
        Set<String> changed = new HashSet<>();
        for (DeltaEntry e : CanonicalDeltas.of(engine, caller, cmd, v, engine.pendingDelta(v), normalization)
                .entries()) {
            changed.add(e.path().toString());
        }
        return normalization
                .describe(ControlReply.ok(ControlVerb.DIFF))
                .put("view", v.name())
                .put("diff", ViewDiff.unified(engine, v, who, changed::contains));
    }
}
