package io.txfs.fuse.view.verbs;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.txfs.control.ControlCommand;
import io.txfs.control.ControlRefusal;
import io.txfs.control.ControlReply;
import io.txfs.control.ControlVerb;
import io.txfs.core.AutoFlush;
import io.txfs.core.Engine;
import io.txfs.core.inspect.delta.Delta;
import io.txfs.core.model.DeltaEntry;
import io.txfs.core.model.ViewInfo;
import io.txfs.core.transactions.GroupCommit;
import io.txfs.core.tree.View;
import io.txfs.fuse.RequestContext;
import io.txfs.fuse.view.Views;
import io.txfs.sys.Errno;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/** {@code status [view=NAME] [canonical] [objects=…]}: a view's pending changes and the mount's state. */
final class StatusVerb implements VerbHandler {
    private final VerbContext context;

    StatusVerb(VerbContext context) {
        this.context = context;
    }

    @Override
    public ControlReply handle(RequestContext caller, ControlCommand cmd) throws ControlRefusal {
        Engine engine = context.engine();
        View v = TargetViews.of(context, caller, cmd);
        List<DeltaEntry> delta = engine.pendingDelta(v);
        ArrayNode entries = ControlReply.json().createArrayNode();
        long bytes = 0;
        for (DeltaEntry d : delta) {
            ObjectNode e = entries.addObject();
            ControlReply.putPath(e, d.pathBytes());
            e.put("kind", d.kind().name().toLowerCase(Locale.ROOT));
            if (d.oldType() != null) {
                e.put("old_type", d.oldType().name().toLowerCase(Locale.ROOT));
                e.put("old_size", d.oldSize());
                e.put("old_mode", d.oldType().bits() | d.oldPerm());
            }
            if (d.newType() != null) {
                e.put("new_type", d.newType().name().toLowerCase(Locale.ROOT));
                e.put("new_size", d.newSize());
                e.put("new_mode", d.newType().bits() | d.newPerm());
            }
        }
        ViewInfo info = v.info();
        bytes = info.pendingBytes();
        ControlReply reply = ControlReply.ok(ControlVerb.STATUS)
                .put("view", v.name())
                .put("isolation", ReplyWords.isolation(v.isolation()))
                .put("snapshot_version", info.snapshotVersion())
                .put("published_version", engine.headVersion())
                .put("flushed_version", engine.flushedVersion())
                .put("backing", backingState())
                .put("changed_paths", delta.size())
                .put("changed_bytes", bytes)
                .putNode("entries", entries);
        if (v.mtimeClampNs >= 0) reply.put("mtime_clamp", v.mtimeClampNs / 1_000_000_000L); // only then: replies stay
        backgroundWork(reply);
        if (cmd.canonical()) {
            Normalization normalization = Normalization.of(cmd);
            putCanonical(reply, CanonicalDeltas.of(engine, caller, cmd, v, delta, normalization));
            normalization.describe(reply);
        } else if (cmd.normalize().isPresent()) {
            throw new ControlRefusal(
                    Errno.EINVAL, cmd.verb(), "'normalize' needs 'canonical' (it changes the delta id)");
        }
        return reply;
    }

    private static void putCanonical(ControlReply reply, Delta d) {
        ArrayNode canonical = ControlReply.json().createArrayNode();
        try {
            for (String line : new String(d.canonicalBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isEmpty()) {
                    canonical.add(ControlReply.json().readTree(line));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("canonical delta is not JSON lines", e);
        }
        reply.put("objects", d.format().gitName()).put("delta_id", d.id().hex()).putNode("canonical", canonical);
    }

    /** "ok", or why the backing directory cannot be served (deleted or moved away while mounted). */
    private String backingState() {
        String problem = context.engine().backingProblem();
        return problem == null ? "ok" : problem;
    }

    /** The shared default's group commit and the auto-flush, where the mount has them: their failures are never only in the log. */
    private void backgroundWork(ControlReply reply) {
        Views views = context.views();
        if (views == null) {
            return; // a control over the engine alone (InspectRepliesGoldenTest) has no default views
        }
        GroupCommit group = views.groupCommit();
        if (group != null) {
            reply.putNode("group_commit", groupCommitJson(group.status()));
        }
        AutoFlush flush = views.autoFlush();
        if (flush != null) {
            reply.putNode("auto_flush", autoFlushJson(flush.status()));
        }
    }

    private static ObjectNode groupCommitJson(GroupCommit.Status g) {
        ObjectNode n = ControlReply.json().createObjectNode();
        n.put("window_ms", g.policy().window().toMillis())
                .put("max_operations", g.policy().maxOps())
                .put("operations", g.operations())
                .put("groups", g.groups())
                .put("waiting", g.waiting())
                .put("failures", g.failures());
        if (g.lastError() != null) {
            n.put("last_error", g.lastError());
        }
        return n;
    }

    private static ObjectNode autoFlushJson(AutoFlush.Status a) {
        ObjectNode n = ControlReply.json().createObjectNode();
        n.put("every_ms", a.every().toMillis()).put("flushes", a.flushes()).put("failures", a.failures());
        if (a.lastFlushedVersion() >= 0) {
            n.put("last_flushed_version", a.lastFlushedVersion());
        }
        if (a.lastError() != null) {
            n.put("last_error", a.lastError());
        }
        return n;
    }
}
