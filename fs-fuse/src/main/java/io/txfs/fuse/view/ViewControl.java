package io.txfs.fuse.view;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.txfs.core.ChangeSet;
import io.txfs.core.DeltaEntry;
import io.txfs.core.Engine;
import io.txfs.core.FlushResult;
import io.txfs.core.FsException;
import io.txfs.core.Isolation;
import io.txfs.core.PublishConflictException;
import io.txfs.core.PublishResult;
import io.txfs.core.View;
import io.txfs.core.ViewDiff;
import io.txfs.core.ViewInfo;
import io.txfs.fuse.Errno;
import io.txfs.fuse.FuseErrnoException;
import io.txfs.fuse.RequestContext;
import io.txfs.fuse.caller.NoSuchProcessException;
import io.txfs.fuse.control.ControlCommand;
import io.txfs.fuse.control.ControlHandler;
import io.txfs.fuse.control.ControlRefusal;
import io.txfs.fuse.control.ControlReply;
import io.txfs.fuse.control.ControlVerb;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The control verbs over the engine: begin, publish, flush, commit, abort, status, views. */
final class ViewControl implements ControlHandler {
    private static final Logger log = LoggerFactory.getLogger(ViewControl.class);

    private final Engine engine;
    private final Views views;
    private final KernelInvalidator invalidator;
    private final AtomicLong generated = new AtomicLong();

    ViewControl(Engine engine, Views views, KernelInvalidator invalidator) {
        this.engine = engine;
        this.views = views;
        this.invalidator = invalidator;
    }

    @Override
    public ControlReply handle(RequestContext caller, ControlCommand cmd) throws ControlRefusal {
        try {
            return switch (cmd.verb()) {
                case BEGIN -> begin(caller, cmd);
                case PUBLISH -> publish(caller, cmd, ControlVerb.PUBLISH);
                case COMMIT -> commit(caller, cmd);
                case FLUSH -> flushed(ControlReply.ok(ControlVerb.FLUSH), engine.flush());
                case ABORT -> abort(caller, cmd);
                case STATUS -> status(caller, cmd);
                case VIEWS -> views(caller);
                case DIFF -> diff(caller, cmd);
            };
        } catch (FsException e) {
            throw new ControlRefusal(fuseErrno(e.errno().code()), cmd.verb(), e.getMessage());
        }
    }

    private ControlReply begin(RequestContext caller, ControlCommand cmd) throws ControlRefusal {
        String name = cmd.view().orElseGet(() -> "v" + caller.pid() + "-" + generated.incrementAndGet());
        boolean created = false;
        View v;
        try {
            v = engine.view(name);
            requireOwner(caller, v, cmd.verb());
        } catch (FsException absent) {
            Isolation iso = cmd.isolation().map(i -> i == ControlCommand.Isolation.READ_COMMITTED
                    ? Isolation.READ_COMMITTED : Isolation.SNAPSHOT).orElse(Isolation.SNAPSHOT);
            v = engine.createView(name, iso, caller.uid());
            created = true;
        }
        try {
            views.resolver().enter(caller.pid(), name);
        } catch (NoSuchProcessException e) {
            throw new ControlRefusal(Errno.EINVAL, cmd.verb(), "the calling process " + caller.pid() + " cannot be identified");
        }
        log.info("pid {} (uid {}) entered view {}{}", caller.pid(), caller.uid(), name, created ? " (new)" : "");
        return ControlReply.ok(ControlVerb.BEGIN).put("view", name).put("created", created)
                .put("isolation", isolationWord(v.isolation())).put("snapshot_version", v.info().snapshotVersion());
    }

    private ControlReply publish(RequestContext caller, ControlCommand cmd, ControlVerb verb) throws ControlRefusal {
        View v = target(caller, cmd);
        PublishResult r;
        try {
            r = engine.publish(v, cmd.force());
        } catch (PublishConflictException e) {
            throw new ControlRefusal(Errno.EBUSY, ControlReply.error(verb, "EBUSY",
                    "publish of view " + v.name() + " conflicts with newer published changes; nothing was published")
                    .put("view", v.name()).putStrings("conflicts", e.paths()));
        }
        // other views were told through the engine's listener; the publisher's own view may have moved too
        invalidator.invalidate(v.name(), r.visibleChanges().get(v.name()));
        return ControlReply.ok(verb).put("view", r.view()).put("changed_paths", r.changedPaths())
                .put("changed_bytes", r.bytes()).put("published_version", r.version());
    }

    private ControlReply commit(RequestContext caller, ControlCommand cmd) throws ControlRefusal {
        ControlReply published = publish(caller, cmd, ControlVerb.COMMIT);
        return flushed(published, engine.flush());
    }

    private static ControlReply flushed(ControlReply reply, FlushResult f) {
        return reply.put("flushed_version", f.flushedVersion()).put("flushed_paths", f.paths()).put("flushed_bytes", f.bytes());
    }

    private ControlReply abort(RequestContext caller, ControlCommand cmd) throws ControlRefusal {
        View v = target(caller, cmd);
        long paths = engine.pendingDelta(v).size();
        ChangeSet cs = engine.abort(v);
        invalidator.invalidate(v.name(), cs);
        return ControlReply.ok(ControlVerb.ABORT).put("view", v.name()).put("discarded_paths", paths);
    }

    private ControlReply status(RequestContext caller, ControlCommand cmd) throws ControlRefusal {
        View v = target(caller, cmd);
        List<DeltaEntry> delta = engine.pendingDelta(v);
        ArrayNode entries = ControlReply.json().createArrayNode();
        long bytes = 0;
        for (DeltaEntry d : delta) {
            ObjectNode e = entries.addObject();
            e.put("path", d.path());
            e.put("kind", d.kind().name().toLowerCase(java.util.Locale.ROOT));
            if (d.oldType() != null) {
                e.put("old_type", d.oldType().name().toLowerCase(java.util.Locale.ROOT));
                e.put("old_size", d.oldSize());
                e.put("old_mode", d.oldType().bits() | d.oldPerm());
            }
            if (d.newType() != null) {
                e.put("new_type", d.newType().name().toLowerCase(java.util.Locale.ROOT));
                e.put("new_size", d.newSize());
                e.put("new_mode", d.newType().bits() | d.newPerm());
            }
        }
        ViewInfo info = v.info();
        bytes = info.pendingBytes();
        return ControlReply.ok(ControlVerb.STATUS).put("view", v.name()).put("isolation", isolationWord(v.isolation()))
                .put("snapshot_version", info.snapshotVersion()).put("published_version", engine.headVersion())
                .put("flushed_version", engine.flushedVersion())
                .put("changed_paths", delta.size()).put("changed_bytes", bytes).putNode("entries", entries);
    }

    private ControlReply diff(RequestContext caller, ControlCommand cmd) throws ControlRefusal {
        View v = target(caller, cmd);
        return ControlReply.ok(ControlVerb.DIFF).put("view", v.name()).put("diff", ViewDiff.unified(engine, v));
    }

    private ControlReply views(RequestContext caller) {
        ArrayNode list = ControlReply.json().createArrayNode();
        for (ViewInfo i : engine.listViews()) {
            if (caller.uid() != 0 && caller.uid() != i.ownerUid()) {
                continue;
            }
            ObjectNode o = list.addObject();
            o.put("name", i.name());
            o.put("isolation", isolationWord(i.isolation()));
            o.put("owner_uid", i.ownerUid());
            o.put("snapshot_version", i.snapshotVersion());
            o.put("changed_bytes", i.pendingBytes());
            o.put("changed_paths", engine.pendingDelta(engine.view(i.name())).size());
        }
        return ControlReply.ok(ControlVerb.VIEWS).put("published_version", engine.headVersion())
                .put("flushed_version", engine.flushedVersion()).putNode("views", list);
    }

    /** The view a command names, or the caller's own; naming another's view needs its uid or root. */
    private View target(RequestContext caller, ControlCommand cmd) throws ControlRefusal {
        View v;
        if (cmd.view().isPresent()) {
            try {
                v = engine.view(cmd.view().get());
            } catch (FsException e) {
                throw new ControlRefusal(Errno.ENOENT, cmd.verb(), "no view " + cmd.view().get());
            }
        } else {
            try {
                v = views.forCaller(caller);
            } catch (FuseErrnoException e) {
                throw new ControlRefusal(Errno.EPERM, cmd.verb(), e.getMessage());
            }
        }
        requireOwner(caller, v, cmd.verb());
        return v;
    }

    private static void requireOwner(RequestContext caller, View v, ControlVerb verb) throws ControlRefusal {
        if (caller.uid() != 0 && caller.uid() != v.ownerUid()) {
            throw new ControlRefusal(Errno.EPERM, verb, "view " + v.name() + " belongs to uid " + v.ownerUid());
        }
    }

    private static String isolationWord(Isolation i) {
        return i == Isolation.READ_COMMITTED ? "read-committed" : "snapshot";
    }

    static Errno fuseErrno(int code) {
        for (Errno e : Errno.values()) {
            if (e.code() == code) {
                return e;
            }
        }
        return Errno.EIO;
    }
}
