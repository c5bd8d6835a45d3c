package io.txfs.fuse.view.verbs;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.txfs.control.ControlCommand;
import io.txfs.control.ControlReply;
import io.txfs.control.ControlVerb;
import io.txfs.core.Engine;
import io.txfs.core.model.ViewInfo;
import io.txfs.core.tree.View;
import io.txfs.fuse.RequestContext;
import io.txfs.fuse.view.ViewLiveness;
import java.time.Instant;
import java.util.Map;

/** {@code views}: the caller's views (root: all) with their state. */
final class ViewsVerb implements VerbHandler {
    private final VerbContext context;

    ViewsVerb(VerbContext context) {
        this.context = context;
    }

    @Override
    public ControlReply handle(RequestContext caller, ControlCommand cmd) {
        Engine engine = context.engine();
        ArrayNode list = ControlReply.json().createArrayNode();
        ViewLiveness liveness = context.views().liveness();
        long now = context.engine().clock().nowNanos();
        Map<String, Long> pinned = engine.pinnedBytes();
        for (ViewInfo i : engine.listViews()) {
            if (caller.uid() != 0 && caller.uid() != i.ownerUid()) {
                continue;
            }
            ObjectNode o = list.addObject();
            o.put("name", i.name());
            o.put("isolation", ReplyWords.isolation(i.isolation()));
            o.put("owner_uid", i.ownerUid());
            o.put("snapshot_version", i.snapshotVersion());
            o.put("changed_bytes", i.pendingBytes());
            if (!i.syncs()) o.put("durability", "none"); // only then: other replies stay as they were
            View v = engine.view(i.name());
            o.put("changed_paths", engine.pendingDelta(v).size());
            int checkpoints = engine.checkpoints(v).size();
            if (checkpoints > 0) o.put("checkpoints", checkpoints); // only then, like durability
            if (v.isChild()) o.put("parent", engine.parentOf(v).name());
            if (v.pathInodes) o.put("inodes", "path");
            o.put("pinned_bytes", pinned.getOrDefault(i.name(), 0L));
            boolean live = liveness.live(i.name());
            o.put("state", live ? "live" : "orphaned");
            o.put("orphaned", !live);
            o.put("created", Instant.ofEpochSecond(0, i.createdNs()).toString());
            o.put("age_seconds", Math.max(0, (now - i.createdNs()) / 1_000_000_000L));
        }
        return ControlReply.ok(ControlVerb.VIEWS)
                .put("published_version", engine.headVersion())
                .put("flushed_version", engine.flushedVersion())
                .putNode("views", list);
    }
}
