package io.txfs.fuse.view.verbs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.txfs.control.ControlCommand;
import io.txfs.control.ControlReply;
import io.txfs.control.ControlVerb;
import io.txfs.fuse.RequestContext;
import io.txfs.fuse.RequestCounts;

/** {@code stats}: the daemon's memory and the mount's request counters. */
final class StatsVerb implements VerbHandler {
    private final VerbContext context;

    StatsVerb(VerbContext context) {
        this.context = context;
    }

    @Override
    public ControlReply handle(RequestContext caller, ControlCommand cmd) {
        RequestCounts requestCounts = context.requestCounts();
        ObjectNode requests = ControlReply.json().createObjectNode();
        ObjectNode micros = ControlReply.json().createObjectNode();
        if (requestCounts != null) {
            requestCounts.snapshot().forEach(requests::put);
            requestCounts.micros().forEach(micros::put);
        }
        // any user of the mount may read it: sizes and counters, nothing of anyone's files
        return ControlReply.ok(ControlVerb.STATS)
                .putNode("memory", context.memory().report())
                .putNode("requests", requests)
                .putNode("request_micros", micros);
    }
}
