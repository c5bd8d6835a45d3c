package io.txfs.fuse.view.verbs;

import io.txfs.control.ControlCommand;
import io.txfs.control.ControlRefusal;
import io.txfs.control.ControlReply;
import io.txfs.control.ControlVerb;
import io.txfs.core.Engine;
import io.txfs.core.inspect.access.AccessIdentity;
import io.txfs.core.inspect.access.CallerCheckedSink;
import io.txfs.core.inspect.engine.ViewTreeSink;
import io.txfs.core.inspect.engine.ViewTreeSource;
import io.txfs.core.inspect.oci.OciLayerImporter;
import io.txfs.core.model.Caller;
import io.txfs.core.model.ChangeSet;
import io.txfs.core.model.DeltaEntry;
import io.txfs.core.model.FsException;
import io.txfs.core.model.Isolation;
import io.txfs.core.progress.LongWork;
import io.txfs.core.progress.ProgressOutputStream;
import io.txfs.core.tree.View;
import io.txfs.fuse.RequestContext;
import io.txfs.fuse.view.CallerGroups;
import io.txfs.fuse.view.Views;
import io.txfs.sys.Errno;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * {@code import}: applies the layer the caller holds open as {@code fd} to a view (created on the
 * newest published state when it does not exist). The layer is spooled once (a file the caller can no
 * longer change) and read from there in place by both passes, so its size costs disk, not heap; it is checked completely (the
 * importer's validation plus {@link LayerPrecheckSink}'s dry run) and only then applied; a rejected
 * layer changes nothing. An I/O error during the apply itself discards a view this import created
 * and leaves a view that existed before with the changes made so far (reported).
 */
final class ImportVerb implements VerbHandler {
    private final VerbContext context;

    ImportVerb(VerbContext context) {
        this.context = context;
    }

    @Override
    public ControlReply handle(RequestContext caller, ControlCommand cmd) throws ControlRefusal {
        if (cmd.fd().isEmpty()) {
            throw new ControlRefusal(
                    Errno.EINVAL, cmd.verb(), "import needs fd=N (a descriptor of the caller open on the layer)");
        }
        try (LongWork work = context.engine().works().start("import")) {
            Path spool = spool(caller, cmd, work);
            try {
                return importSpooled(caller, cmd, work, spool);
            } finally {
                deleteQuietly(spool);
            }
        }
    }

    /** The caller's layer, copied to a file of the daemon's. */
    private Path spool(RequestContext caller, ControlCommand cmd, LongWork work) throws ControlRefusal {
        Path spool = null;
        work.phase("read", LongWork.UNKNOWN, LongWork.UNKNOWN);
        try (CallerDescriptor in = CallerDescriptor.open(caller.pid(), cmd.fd().get())) {
            Path scratch = context.engine().scratchDirectory();
            spool = scratch != null
                    ? Files.createTempFile(scratch, "import-", ".tar")
                    : Files.createTempFile("txfs-import-", ".tar");
            try (OutputStream to = new ProgressOutputStream(Files.newOutputStream(spool), work)) {
                in.transferTo(to);
            }
            return spool;
        } catch (IOException e) {
            deleteQuietly(spool);
            throw Refusals.of(cmd.verb(), e);
        }
    }

    private ControlReply importSpooled(RequestContext caller, ControlCommand cmd, LongWork work, Path spool)
            throws ControlRefusal {
        Engine engine = context.engine();
        View v = existingTarget(caller, cmd);
        boolean created = false;
        boolean root = caller.uid() == 0;
        OciLayerImporter importer = new OciLayerImporter(new OciLayerImporter.Options(1 << 20, root, true));
        Caller owner = new Caller(caller.uid(), caller.gid());
        AccessIdentity who =
                new AccessIdentity(caller.uid(), Integer.toUnsignedLong(caller.gid()), CallerGroups.of(caller));
        View checkIn = v != null ? v : engine.published();
        work.phase("check", LongWork.UNKNOWN, LongWork.UNKNOWN);
        try {
            // the dry run checks permissions too, so a layer refused for them changes nothing
            importer.apply(
                    spool,
                    CallerCheckedSink.forCaller(
                            new LayerPrecheckSink(new ViewTreeSink(engine, checkIn, owner), root),
                            new ViewTreeSource(engine, checkIn),
                            who));
        } catch (IOException e) {
            throw Refusals.of(cmd.verb(), e);
        }
        if (v == null) {
            v = engine.createView(cmd.view().get(), Isolation.SNAPSHOT, caller.uid());
            created = true;
        }
        OciLayerImporter.Summary summary;
        work.phase("apply", LongWork.UNKNOWN, LongWork.UNKNOWN);
        try {
            summary = importer.apply(
                    spool,
                    CallerCheckedSink.forCaller(
                            new ViewTreeSink(engine, v, owner), new ViewTreeSource(engine, v), who));
        } catch (IOException | FsException e) {
            throw applyFailed(cmd, v, created, e);
        }
        context.invalidator().invalidate(v.name(), changesOf(v));
        return ControlReply.ok(ControlVerb.IMPORT)
                .put("view", v.name())
                .put("created", created)
                .put("deletions", summary.deletions())
                .put("entries", summary.entries())
                .put("changed_paths", engine.pendingDelta(v).size());
    }

    /** The view the layer goes to, or null when the command names one that does not exist yet. */
    private View existingTarget(RequestContext caller, ControlCommand cmd) throws ControlRefusal {
        if (cmd.view().isPresent()) {
            try {
                View v = context.engine().view(cmd.view().get());
                Permissions.requireOwner(caller, v, cmd.verb());
                return v;
            } catch (FsException absent) {
                return null;
            }
        }
        View v = TargetViews.of(context, caller, cmd);
        if (Views.notBegun(v)) {
            v = context.views().forChange(v.name(), caller); // an import is a change: the session's view begins
        }
        return v;
    }

    private ControlRefusal applyFailed(ControlCommand cmd, View v, boolean created, Exception e) {
        if (created) {
            context.engine().discard(v);
        }
        ControlLog.LOG.error("import into view {} failed while applying", v.name(), e);
        return new ControlRefusal(
                Errno.EIO,
                cmd.verb(),
                "import failed while applying: " + e.getMessage()
                        + (created
                                ? "; the view it created was discarded"
                                : "; view " + v.name() + " keeps the changes made so far"));
    }

    /**
     * What the kernel may have cached of a view's pending paths (the import wrote through the engine,
     * not the kernel). Paths are the engine's strings: a non-UTF-8 name may be missed, and is then
     * stale only until its cache timeout.
     */
    private ChangeSet changesOf(View v) {
        Engine engine = context.engine();
        Set<Long> inodes = new HashSet<>();
        Set<ChangeSet.Entry> entries = new HashSet<>();
        for (DeltaEntry d : engine.pendingDelta(v)) {
            String p = d.path().startsWith("/") ? d.path().substring(1) : d.path();
            int slash = p.lastIndexOf('/');
            try {
                long parent = engine.resolve(v, slash < 0 ? "" : p.substring(0, slash));
                inodes.add(parent);
                entries.add(new ChangeSet.Entry(parent, p.substring(slash + 1).getBytes(StandardCharsets.UTF_8)));
                inodes.add(engine.resolve(v, p));
            } catch (FsException gone) {
                // deleted paths have no node in the view: their parent's entry is what matters
            }
        }
        return new ChangeSet(inodes, entries);
    }

    private static void deleteQuietly(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                ControlLog.LOG.warn("cannot delete import spool {}: {}", p, e.toString());
            }
        }
    }
}
