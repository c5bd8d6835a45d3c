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
import io.txfs.fuse.view.Views;
import io.txfs.sys.Errno;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/** {@code begin [view=NAME] [isolation=…] [toplevel] [trace]}: the calling process enters a view, made if it does not exist. */
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
        boolean already = cmd.toplevel() && refuseSibling(caller, cmd);
        String name = cmd.view().orElseGet(() -> "v" + caller.pid() + "-" + generated.incrementAndGet());
        boolean created = false;
        View v;
        try {
            v = engine.view(name);
            Permissions.requireOwner(caller, v, cmd.verb());
            long wanted = cmd.mtimeClampSeconds().map(s -> s * 1_000_000_000L).orElse(v.mtimeClampNs);
            boolean syncs = cmd.durability().map(d -> !d.equals("none")).orElse(v.syncs);
            if (wanted != v.mtimeClampNs || syncs != v.syncs) {
                throw new ControlRefusal(
                        Errno.EINVAL,
                        cmd.verb(),
                        "view " + name + " exists with another mtime clamp or durability (fixed at its start)");
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
            v = engine.createView(
                    name, iso, caller.uid(), new ViewOptions(cmd.view().isEmpty(), clamp, syncs));
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
                "pid {} (uid {}) entered view {}{}", caller.pid(), caller.uid(), name, created ? " (new)" : "");
        return ControlReply.ok(ControlVerb.BEGIN)
                .put("view", name)
                .put("created", created)
                .put("isolation", ReplyWords.isolation(v.isolation()))
                .put("snapshot_version", v.info().snapshotVersion())
                .put("already_in", already)
                .put("traced", engine.traces().traced(v.id))
                .put("readdir", context.views().readdirOrder(name).word())
                .put("mtime_clamp", v.mtimeClampNs < 0 ? -1 : v.mtimeClampNs / 1_000_000_000L);
    }

    /**
     * {@code begin toplevel} from a process that works in a view it (or an ancestor) entered by begin: a new
     * view would be its sibling over the published state, not a child whose publish goes into the caller's
     * view (SPEC "Checkpoints and nesting", not built yet), so the caller's pending work would be invisible to
     * the command and the command's publish would bypass it. Refused until nesting exists. Entering the
     * caller's own view again is no sibling and passes (true: the caller works in it already, so a command
     * it starts is in it without another mount namespace); so does a process outside any view (its session's
     * view is where a shell works, not a view it chose).
     */
    private boolean refuseSibling(RequestContext caller, ControlCommand cmd) throws ControlRefusal {
        Views views = context.views();
        Optional<String> in;
        try {
            in = views.enteredView(caller);
        } catch (FuseErrnoException e) {
            throw new ControlRefusal(Errno.EPERM, cmd.verb(), e.getMessage());
        }
        if (in.isPresent() && !cmd.view().equals(in)) {
            throw new ControlRefusal(
                    Errno.EPERM,
                    cmd.verb(),
                    "already in view " + in.get() + ": a view begun here would be"
                            + " a sibling of " + in.get()
                            + ", not nested in it (nested views are not supported yet); run it outside"
                            + " any view, or in " + in.get() + " itself (view=" + in.get() + ")");
        }
        return in.isPresent();
    }
}
