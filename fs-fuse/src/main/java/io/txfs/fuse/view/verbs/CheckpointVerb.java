package io.txfs.fuse.view.verbs;

import com.fasterxml.jackson.databind.node.ArrayNode;
import io.txfs.control.ControlCommand;
import io.txfs.control.ControlRefusal;
import io.txfs.control.ControlReply;
import io.txfs.control.ControlVerb;
import io.txfs.core.Engine;
import io.txfs.core.tree.Checkpoint;
import io.txfs.core.tree.View;
import io.txfs.fuse.RequestContext;
import io.txfs.fuse.view.Views;
import io.txfs.sys.Errno;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code checkpoint name=N}, {@code rollback name=N} and {@code checkpoints}, each with an optional
 * {@code view=}: named states of a view's pending delta (Engine.checkpoint). A rollback drops what the
 * kernel cached of every path that changed since the checkpoint, for every process of the view.
 */
final class CheckpointVerb implements VerbHandler {
    private final VerbContext context;

    CheckpointVerb(VerbContext context) {
        this.context = context;
    }

    @Override
    public ControlReply handle(RequestContext caller, ControlCommand cmd) throws ControlRefusal {
        Engine engine = context.engine();
        View v = TargetViews.of(context, caller, cmd);
        return switch (cmd.verb()) {
            case CHECKPOINT -> {
                // a checkpoint is of a pending delta: the caller's session view begins here, like at a change
                if (Views.notBegun(v)) v = context.views().forChange(v.name(), caller);
                Checkpoint cp = engine.checkpoint(v, cmd.name().orElseThrow());
                yield ControlReply.ok(ControlVerb.CHECKPOINT)
                        .put("view", v.name())
                        .put("checkpoint", cp.name())
                        .put("changed_paths", cp.paths())
                        .put("changed_bytes", cp.pendingBytes())
                        .put("checkpoints", engine.checkpoints(v).size());
            }
            case ROLLBACK -> {
                String name = cmd.name().orElseThrow();
                if (Views.notBegun(v)) {
                    throw new ControlRefusal(
                            Errno.ENOENT, cmd.verb(), "no checkpoint " + name + " in view " + v.name());
                }
                List<String> dropped = new ArrayList<>();
                boolean after = false;
                for (Checkpoint cp : engine.checkpoints(v)) {
                    if (after) dropped.add(cp.name());
                    after |= cp.name().equals(name);
                }
                context.invalidator().invalidate(v.name(), engine.rollback(v, name));
                yield ControlReply.ok(ControlVerb.ROLLBACK)
                        .put("view", v.name())
                        .put("checkpoint", name)
                        .put("changed_paths", engine.pendingDelta(v).size())
                        .put("changed_bytes", v.info().pendingBytes())
                        .putStrings("dropped_checkpoints", dropped);
            }
            default -> {
                ArrayNode list = ControlReply.json().createArrayNode();
                for (Checkpoint cp : Views.notBegun(v) ? List.<Checkpoint>of() : engine.checkpoints(v)) {
                    list.addObject()
                            .put("name", cp.name())
                            .put(
                                    "created",
                                    Instant.ofEpochSecond(0, cp.createdNs()).toString())
                            .put("created_ns", cp.createdNs())
                            .put("changed_paths", cp.paths())
                            .put("changed_bytes", cp.pendingBytes());
                }
                yield ControlReply.ok(ControlVerb.CHECKPOINTS)
                        .put("view", v.name())
                        .putNode("checkpoints", list);
            }
        };
    }
}
