package io.txfs.fuse.view.verbs;

import com.fasterxml.jackson.databind.node.ArrayNode;
import io.txfs.control.ControlRefusal;
import io.txfs.control.ControlReply;
import io.txfs.control.ControlVerb;
import io.txfs.core.Engine;
import io.txfs.core.model.FlushRefusedException;
import io.txfs.core.model.FlushResult;

/** The flush of flush and commit, and what their replies say of it. */
final class Flushing {
    private Flushing() {}

    /** A refused flush fails the write with EIO; the reply lists every path and why ("problems"). */
    static FlushResult flushOrRefuse(Engine engine, ControlVerb verb) throws ControlRefusal {
        try {
            return engine.flush();
        } catch (FlushRefusedException e) {
            ArrayNode problems = ControlReply.json().createArrayNode();
            for (FlushRefusedException.Problem p : e.problems()) {
                problems.addObject().put("path", p.path()).put("reason", p.reason());
            }
            throw new ControlRefusal(
                    e.errno(), ControlReply.error(verb, "EIO", e.getMessage()).putNode("problems", problems));
        }
    }

    static ControlReply flushed(ControlReply reply, FlushResult f) {
        return reply.put("flushed_version", f.flushedVersion())
                .put("flushed_paths", f.paths())
                .put("flushed_bytes", f.bytes());
    }
}
