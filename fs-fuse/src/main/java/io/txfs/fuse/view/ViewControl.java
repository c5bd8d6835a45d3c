package io.txfs.fuse.view;

import io.txfs.control.ControlCommand;
import io.txfs.control.ControlRefusal;
import io.txfs.control.ControlReply;
import io.txfs.control.ControlVerb;
import io.txfs.core.Engine;
import io.txfs.core.inspect.engine.CallerAccessTreeSource;
import io.txfs.core.inspect.engine.DeltaIdLog;
import io.txfs.core.model.FsException;
import io.txfs.fuse.RequestContext;
import io.txfs.fuse.RequestCounts;
import io.txfs.fuse.control.ControlHandler;
import io.txfs.fuse.view.verbs.VerbContext;
import io.txfs.fuse.view.verbs.VerbHandler;
import io.txfs.fuse.view.verbs.Verbs;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Set;

/**
 * The control verbs over the engine (one {@link VerbHandler} each, in {@code io.txfs.fuse.view.verbs}).
 * Hashes and canonical deltas are computed as the caller could read the tree (mode bits checked for
 * non-root callers, {@link CallerAccessTreeSource}): the daemon runs as root.
 */
final class ViewControl implements ControlHandler {
    private final EnumMap<ControlVerb, VerbHandler> handlers;

    ViewControl(Engine engine, Views views, KernelInvalidator invalidator) {
        this(engine, views, invalidator, null, null, null, MountAdministrators.owner(0));
    }

    /** {@code ids}: the delta ids of the log (null: the log shows them as pending). */
    ViewControl(
            Engine engine,
            Views views,
            KernelInvalidator invalidator,
            Path backing,
            RequestCounts requestCounts,
            DeltaIdLog ids,
            MountAdministrators administrators) {
        this(engine, views, invalidator, backing, requestCounts, ids, administrators, new DaemonMemory(engine, null));
    }

    /** {@code memory}: what {@code stats} reports of the daemon's memory budget. */
    ViewControl(
            Engine engine,
            Views views,
            KernelInvalidator invalidator,
            Path backing,
            RequestCounts requestCounts,
            DeltaIdLog ids,
            MountAdministrators administrators,
            DaemonMemory memory) {
        this.handlers = complete(Verbs.handlers(
                new VerbContext(engine, views, invalidator, backing, requestCounts, ids, administrators, memory)));
    }

    /** A verb the protocol knows but no handler answers is a build mistake: refused at start, not at first use. */
    private static EnumMap<ControlVerb, VerbHandler> complete(EnumMap<ControlVerb, VerbHandler> handlers) {
        Set<ControlVerb> missing = EnumSet.allOf(ControlVerb.class);
        missing.removeAll(handlers.keySet());
        if (!missing.isEmpty()) {
            throw new IllegalStateException("no handler for the control verbs " + missing);
        }
        return handlers;
    }

    @Override
    public ControlReply handle(RequestContext caller, ControlCommand cmd) throws ControlRefusal {
        try {
            return handlers.get(cmd.verb()).handle(caller, cmd);
        } catch (FsException e) {
            throw new ControlRefusal(e.errno(), cmd.verb(), e.getMessage());
        }
    }
}
