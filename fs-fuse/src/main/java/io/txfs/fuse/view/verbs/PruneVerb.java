package io.txfs.fuse.view.verbs;

import com.fasterxml.jackson.databind.node.ArrayNode;
import io.txfs.control.ControlCommand;
import io.txfs.control.ControlReply;
import io.txfs.control.ControlVerb;
import io.txfs.core.Engine;
import io.txfs.core.model.FsException;
import io.txfs.core.model.ViewInfo;
import io.txfs.core.tree.View;
import io.txfs.fuse.RequestContext;
import io.txfs.fuse.view.ViewLiveness;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code prune [older_than=SECONDS]}: removes the caller's orphaned views (root: all), each like
 * abort. The daemon decides orphan-ness ({@link ViewLiveness}), never the client: a view with a
 * live process is kept and listed under "live". Age is counted from the view's creation.
 */
final class PruneVerb implements VerbHandler {
    private final VerbContext context;
    private final ViewRemoval removal;

    PruneVerb(VerbContext context, ViewRemoval removal) {
        this.context = context;
        this.removal = removal;
    }

    @Override
    public ControlReply handle(RequestContext caller, ControlCommand cmd) {
        Engine engine = context.engine();
        long minAgeNs = cmd.olderThanSeconds().map(PruneVerb::secondsToNanos).orElse(-1L);
        ArrayNode pruned = ControlReply.json().createArrayNode();
        List<String> live = new ArrayList<>();
        List<String> young = new ArrayList<>();
        synchronized (context.membership()) {
            ViewLiveness liveness = context.views().liveness();
            long now = context.engine().clock().nowNanos();
            for (ViewInfo i : engine.listViews()) {
                if (caller.uid() != 0 && caller.uid() != i.ownerUid()) {
                    continue; // another's view is not the caller's to prune, nor to learn about
                }
                if (liveness.live(i.name())) {
                    live.add(i.name());
                    continue;
                }
                if (now - i.createdNs() <= minAgeNs) {
                    young.add(i.name());
                    continue;
                }
                View v;
                try {
                    v = engine.view(i.name());
                } catch (FsException gone) {
                    continue; // aborted meanwhile
                }
                long paths = removal.remove(v);
                pruned.addObject().put("view", v.name()).put("discarded_paths", paths);
                ControlLog.LOG.info("uid {} pruned orphaned view {} ({} pending paths)", caller.uid(), v.name(), paths);
            }
        }
        return ControlReply.ok(ControlVerb.PRUNE)
                .putNode("pruned", pruned)
                .putStrings("live", live)
                .putStrings("younger", young);
    }

    /** Seconds as nanoseconds, saturating: an age beyond the clock's range keeps every view. */
    private static long secondsToNanos(long seconds) {
        return seconds > Long.MAX_VALUE / 1_000_000_000L ? Long.MAX_VALUE : seconds * 1_000_000_000L;
    }
}
