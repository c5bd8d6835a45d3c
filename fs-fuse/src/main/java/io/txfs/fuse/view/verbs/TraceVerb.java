package io.txfs.fuse.view.verbs;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.txfs.control.ControlCommand;
import io.txfs.control.ControlRefusal;
import io.txfs.control.ControlReply;
import io.txfs.control.ControlVerb;
import io.txfs.core.trace.Access;
import io.txfs.core.tree.View;
import io.txfs.fuse.RequestContext;
import java.util.List;

/**
 * {@code trace [view=V]}: the view's access trace, for its owner or root. Each entry is the first time the
 * view did something to a path: {@code {"kind": "read", "path": "src/a.c"}}, in that order. A path that is
 * not UTF-8 is given percent-encoded, with {@code "encoded": true}.
 */
final class TraceVerb implements VerbHandler {
    private final VerbContext context;

    TraceVerb(VerbContext context) {
        this.context = context;
    }

    @Override
    public ControlReply handle(RequestContext caller, ControlCommand cmd) throws ControlRefusal {
        View v = TargetViews.of(context, caller, cmd);
        Permissions.requireOwner(caller, v, cmd.verb());
        boolean traced = context.engine().traces().traced(v.id);
        List<Access> entries = context.engine().traces().entries(v.id);
        ArrayNode out = ControlReply.json().createArrayNode();
        for (Access a : entries) {
            ObjectNode e = out.addObject().put("kind", a.kind().word());
            ControlReply.putPath(e, a.path());
            e.put("read", a.kind().read());
        }
        return ControlReply.ok(ControlVerb.TRACE)
                .put("view", v.name())
                .put("traced", traced)
                .put("count", entries.size())
                .putNode("entries", out);
    }
}
