package io.txfs.fuse.view.verbs;

import io.txfs.control.ControlCommand;
import io.txfs.control.ControlRefusal;
import io.txfs.control.ControlReply;
import io.txfs.control.ControlVerb;
import io.txfs.core.Engine;
import io.txfs.core.model.FsException;
import io.txfs.core.model.Isolation;
import io.txfs.core.tree.View;
import io.txfs.core.tree.ViewOptions;
import io.txfs.fuse.FuseErrnoException;
import io.txfs.fuse.RequestContext;
import io.txfs.fuse.caller.NoSuchProcessException;
import io.txfs.fuse.view.ReaddirOrder;
import io.txfs.sys.Errno;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code begin [view=NAME] [isolation=…] [toplevel] [trace]}: the calling process enters a view, made if it does
 * not exist — as a child of the caller's own view when the caller works in one it entered by begin.
 */
final class BeginVerb implements VerbHandler {
    private final VerbContext context;
    private final AtomicLong generated = new AtomicLong();

    BeginVerb(VerbContext context) {
        this.context = context;
    }

    @Override
    public ControlReply handle(RequestContext caller, ControlCommand cmd) throws ControlRefusal {
        // a prune decides a view is orphaned and removes it as one step: no begin may join it in between
        synchronized (context.membership()) {
            return beginLocked(caller, cmd);
        }
    }

    private ControlReply beginLocked(RequestContext caller, ControlCommand cmd) throws ControlRefusal {
        Engine engine = context.engine();
        Optional<String> in = enteredView(caller, cmd);
        boolean already = in.isPresent() && cmd.view().equals(in);
        String name = cmd.view().orElseGet(() -> "v" + caller.pid() + "-" + generated.incrementAndGet());
        boolean created = false;
        View v;
        View parent = null;
        try {
            v = engine.view(name);
            Permissions.requireOwner(caller, v, cmd.verb());
            if (cmd.toplevel() && in.isPresent() && !already && !childOf(v, in.get())) refuseSibling(cmd, in.get());
            long wanted = cmd.mtimeClampSeconds().map(s -> s * 1_000_000_000L).orElse(v.mtimeClampNs);
            boolean syncs = cmd.durability().map(d -> !d.equals("none")).orElse(v.syncs);
            boolean pathInodes = cmd.inodes().map(i -> i.equals("path")).orElse(v.pathInodes);
            if (wanted != v.mtimeClampNs || syncs != v.syncs || pathInodes != v.pathInodes) {
                throw new ControlRefusal(
                        Errno.EINVAL,
                        cmd.verb(),
                        "view " + name
                                + " exists with another mtime clamp, durability or inode numbering (fixed at its start)");
            }
        } catch (FsException absent) {
            Isolation iso = cmd.isolation()
                    .map(i -> i == ControlCommand.Isolation.READ_COMMITTED
                            ? Isolation.READ_COMMITTED
                            : Isolation.SNAPSHOT)
                    .orElse(Isolation.SNAPSHOT);
            // a view nobody named ends once it holds nothing and nothing runs in it (publish, txfs run)
            long clamp = cmd.mtimeClampSeconds().map(s -> s * 1_000_000_000L).orElse(-1L);
            boolean syncs = !cmd.durability().orElse("fsync").equals("none");
            ViewOptions options = new ViewOptions(
                    cmd.view().isEmpty(),
                    clamp,
                    syncs,
                    cmd.inodes().orElse("node").equals("path"));
            if (in.isPresent()) {
                // begun inside a view: a child of it, publishing into it (docs/views.md, "Nested views")
                parent = parentView(caller, cmd, in.get());
                v = engine.createChildView(name, parent, caller.uid(), options);
            } else {
                v = engine.createView(name, iso, caller.uid(), options);
            }
            created = true;
        }
        if (cmd.trace()) {
            engine.traces().start(v.id);
        }
        cmd.readdir().ifPresent(order -> context.views().readdirOrder(name, ReaddirOrder.of(order)));
        try {
            context.views().resolver().enter(caller.pid(), name);
        } catch (NoSuchProcessException e) {
            throw new ControlRefusal(
                    Errno.EINVAL, cmd.verb(), "the calling process " + caller.pid() + " cannot be identified");
        }
        ControlLog.LOG.info(
                "pid {} (uid {}) entered view {}{}",
                caller.pid(),
                caller.uid(),
                name,
                created ? parent != null ? " (new, inside " + parent.name() + ")" : " (new)" : "");
        ControlReply reply = ControlReply.ok(ControlVerb.BEGIN);
        if (v.isChild()) reply.put("parent", engine.parentOf(v).name()); // only then: other replies stay as they were
        return reply.put("view", name)
                .put("created", created)
                .put("isolation", ReplyWords.isolation(v.isolation()))
                .put("snapshot_version", v.info().snapshotVersion())
                .put("already_in", already)
                .put("traced", engine.traces().traced(v.id))
                .put("readdir", context.views().readdirOrder(name).word())
                .put("mtime_clamp", v.mtimeClampNs < 0 ? -1 : v.mtimeClampNs / 1_000_000_000L);
    }

    /**
     * The view the caller (or an ancestor) entered with {@code begin}, if any: a view begun from there is its
     * child (SPEC "Checkpoints and nesting"). A process outside any view works in its session's view, which
     * is where a shell works, not a view it chose: views it begins are top-level.
     */
    private Optional<String> enteredView(RequestContext caller, ControlCommand cmd) throws ControlRefusal {
        try {
            return context.views().enteredView(caller);
        } catch (FuseErrnoException e) {
            throw new ControlRefusal(Errno.EPERM, cmd.verb(), e.getMessage());
        }
    }

    private boolean childOf(View v, String parent) {
        return v.isChild() && context.engine().parentOf(v).name().equals(parent);
    }

    /** The caller's view, as the parent of the view it begins: only its owner (or root) nests in it. */
    private View parentView(RequestContext caller, ControlCommand cmd, String name) throws ControlRefusal {
        View parent;
        try {
            parent = context.engine().view(name);
        } catch (FsException gone) {
            throw new ControlRefusal(Errno.ENOENT, cmd.verb(), "the view " + name + " the caller works in is gone");
        }
        Permissions.requireOwner(caller, parent, cmd.verb());
        if (cmd.isolation().orElse(null) == ControlCommand.Isolation.READ_COMMITTED) {
            throw new ControlRefusal(
                    Errno.EINVAL,
                    cmd.verb(),
                    "a view begun inside " + name + " reads its parent's state at its start (snapshot), never"
                            + " read-committed");
        }
        return parent;
    }

    /**
     * {@code begin toplevel} (txfs run) naming an existing view from inside another, that is not its child:
     * the command would work beside the caller's view, not in it, and its publish would bypass it. Refused;
     * entering the caller's own view again, or one of its children, passes.
     */
    private static void refuseSibling(ControlCommand cmd, String in) throws ControlRefusal {
        throw new ControlRefusal(
                Errno.EPERM,
                cmd.verb(),
                "already in view " + in + ": view " + cmd.view().orElse("?") + " exists and is not a child of " + in
                        + "; a view begun here by a new name is a child of " + in
                        + " (its publish goes into " + in + "), or run it outside any view");
    }
}
