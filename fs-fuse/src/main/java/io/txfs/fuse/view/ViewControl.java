package io.txfs.fuse.view;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.txfs.control.ControlCommand;
import io.txfs.control.ControlRefusal;
import io.txfs.control.ControlReply;
import io.txfs.control.ControlVerb;
import io.txfs.core.AutoFlush;
import io.txfs.core.Caller;
import io.txfs.core.ChangeSet;
import io.txfs.core.Clock;
import io.txfs.core.DeltaEntry;
import io.txfs.core.Engine;
import io.txfs.core.FlushRefusedException;
import io.txfs.core.FlushResult;
import io.txfs.core.FsException;
import io.txfs.core.GcReport;
import io.txfs.core.GroupCommit;
import io.txfs.core.Isolation;
import io.txfs.core.PublishConflictException;
import io.txfs.core.PublishResult;
import io.txfs.core.RefreshConflictException;
import io.txfs.core.RescanResult;
import io.txfs.core.View;
import io.txfs.core.ViewDiff;
import io.txfs.core.ViewInfo;
import io.txfs.core.inspect.EntryStat;
import io.txfs.core.inspect.HashCache;
import io.txfs.core.inspect.Name;
import io.txfs.core.inspect.ObjectFormat;
import io.txfs.core.inspect.ProgressTreeSource;
import io.txfs.core.inspect.TreeHasher;
import io.txfs.core.inspect.TreeIdOptions;
import io.txfs.core.inspect.TreePath;
import io.txfs.core.inspect.TreeSource;
import io.txfs.core.inspect.UnrepresentableEntryException;
import io.txfs.core.inspect.access.AccessIdentity;
import io.txfs.core.inspect.access.CallerCheckedSink;
import io.txfs.core.inspect.access.NotPermittedException;
import io.txfs.core.inspect.delta.Delta;
import io.txfs.core.inspect.delta.DeltaComputer;
import io.txfs.core.inspect.dir.DirectoryTreeSource;
import io.txfs.core.inspect.engine.CallerAccessTreeSource;
import io.txfs.core.inspect.engine.DeltaIdLog;
import io.txfs.core.inspect.engine.PendingScopeTreeSource;
import io.txfs.core.inspect.engine.SnapshotTokenSources;
import io.txfs.core.inspect.engine.ViewTreeSink;
import io.txfs.core.inspect.engine.ViewTreeSource;
import io.txfs.core.inspect.oci.CountingOutputStream;
import io.txfs.core.inspect.oci.LayerRejectedException;
import io.txfs.core.inspect.oci.OciLayerImporter;
import io.txfs.core.inspect.oci.OciLayerWriter;
import io.txfs.core.progress.LongWork;
import io.txfs.core.progress.ProgressOutputStream;
import io.txfs.fuse.FuseErrnoException;
import io.txfs.fuse.RequestContext;
import io.txfs.fuse.RequestCounts;
import io.txfs.fuse.caller.NoSuchProcessException;
import io.txfs.fuse.caller.SupplementaryGroups;
import io.txfs.fuse.control.ControlHandler;
import io.txfs.sys.Errno;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control verbs over the engine: begin, publish, flush, commit, abort, status, views, diff, hash, log.
 * Hashes and canonical deltas are computed as the caller could read the tree (mode bits checked for
 * non-root callers, {@link CallerAccessTreeSource}): the daemon runs as root.
 */
final class ViewControl implements ControlHandler {
    private static final Logger log = LoggerFactory.getLogger(ViewControl.class);

    private final Engine engine;
    private final Views views;
    private final KernelInvalidator invalidator;
    private final AtomicLong generated = new AtomicLong();
    /** Subtree hashes of published versions, keyed by subtree version tokens: see SnapshotTokenSources. */
    private final HashCache hashCache = new HashCache(HASH_CACHE_ENTRIES);

    private static final int HASH_CACHE_ENTRIES = 300_000;
    /** The backing directory as the daemon reaches it (never through its own mount); null: not offered. */
    private final Path backing;
    /** The mount's request counters (the {@code stats} verb); null when not counted. */
    private final RequestCounts requestCounts;

    private final VersionControl versions;
    private final MountAdministrators administrators;
    private final DaemonMemory memory;
    /** Held by begin and prune, so that a view found orphaned gets no new process before it is removed. */
    private final Object membership = new Object();

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
        this.memory = memory;
        this.administrators = administrators;
        this.engine = engine;
        this.views = views;
        this.invalidator = invalidator;
        this.backing = backing;
        this.requestCounts = requestCounts;
        this.versions = new VersionControl(engine, ids);
    }

    @Override
    public ControlReply handle(RequestContext caller, ControlCommand cmd) throws ControlRefusal {
        try {
            return switch (cmd.verb()) {
                case BEGIN -> begin(caller, cmd);
                case PUBLISH -> publish(caller, cmd, ControlVerb.PUBLISH);
                case COMMIT -> commit(caller, cmd);
                case FLUSH -> flush(caller, cmd);
                case ABORT -> abort(caller, cmd);
                case STATUS -> status(caller, cmd);
                case VIEWS -> views(caller);
                case DIFF -> diff(caller, cmd);
                case HASH -> hash(caller, cmd);
                case LOG -> versions.log(cmd.await());
                case EXPORT -> export(caller, cmd);
                case IMPORT -> importLayer(caller, cmd);
                case STATS -> stats();
                case RESCAN -> rescan(caller, cmd);
                case GC -> gc(caller, cmd);
                case PRUNE -> prune(caller, cmd);
                case PROGRESS -> progress();
                case REFRESH -> refresh(caller, cmd);
            };
        } catch (FsException e) {
            throw new ControlRefusal(e.errno(), cmd.verb(), e.getMessage());
        }
    }

    private ControlReply stats() {
        ObjectNode requests = ControlReply.json().createObjectNode();
        ObjectNode micros = ControlReply.json().createObjectNode();
        if (requestCounts != null) {
            requestCounts.snapshot().forEach(requests::put);
            requestCounts.micros().forEach(micros::put);
        }
        // any user of the mount may read it: sizes and counters, nothing of anyone's files
        return ControlReply.ok(ControlVerb.STATS)
                .putNode("memory", memory.report())
                .putNode("requests", requests)
                .putNode("request_micros", micros);
    }

    private ControlReply progress() {
        return ControlReply.ok(ControlVerb.PROGRESS).putNode("running", ProgressFile.json(engine.works()));
    }

    private ControlReply begin(RequestContext caller, ControlCommand cmd) throws ControlRefusal {
        // a prune decides a view is orphaned and removes it as one step: no begin may join it in between
        synchronized (membership) {
            return beginLocked(caller, cmd);
        }
    }

    private ControlReply beginLocked(RequestContext caller, ControlCommand cmd) throws ControlRefusal {
        boolean already = cmd.toplevel() && refuseSibling(caller, cmd);
        String name = cmd.view().orElseGet(() -> "v" + caller.pid() + "-" + generated.incrementAndGet());
        boolean created = false;
        View v;
        try {
            v = engine.view(name);
            requireOwner(caller, v, cmd.verb());
        } catch (FsException absent) {
            Isolation iso = cmd.isolation()
                    .map(i -> i == ControlCommand.Isolation.READ_COMMITTED
                            ? Isolation.READ_COMMITTED
                            : Isolation.SNAPSHOT)
                    .orElse(Isolation.SNAPSHOT);
            // a view nobody named ends once it holds nothing and nothing runs in it (publish, txfs run)
            v = engine.createView(name, iso, caller.uid(), cmd.view().isEmpty());
            created = true;
        }
        try {
            views.resolver().enter(caller.pid(), name);
        } catch (NoSuchProcessException e) {
            throw new ControlRefusal(
                    Errno.EINVAL, cmd.verb(), "the calling process " + caller.pid() + " cannot be identified");
        }
        log.info("pid {} (uid {}) entered view {}{}", caller.pid(), caller.uid(), name, created ? " (new)" : "");
        return ControlReply.ok(ControlVerb.BEGIN)
                .put("view", name)
                .put("created", created)
                .put("isolation", isolationWord(v.isolation()))
                .put("snapshot_version", v.info().snapshotVersion())
                .put("already_in", already);
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

    private ControlReply publish(RequestContext caller, ControlCommand cmd, ControlVerb verb) throws ControlRefusal {
        View v = target(caller, cmd);
        if (Views.notBegun(v)) {
            // a session that never wrote has nothing to publish: no version is made
            return ControlReply.ok(verb)
                    .put("view", v.name())
                    .put("changed_paths", 0)
                    .put("changed_bytes", 0)
                    .put("published_version", engine.headVersion())
                    .putStrings("overridden", List.of())
                    .putStrings("kept", List.of());
        }
        PublishResult r;
        try {
            r = engine.publish(v, cmd.force());
        } catch (PublishConflictException e) {
            throw new ControlRefusal(
                    Errno.EBUSY,
                    ControlReply.error(
                                    verb,
                                    "EBUSY",
                                    "publish of view " + v.name()
                                            + " conflicts with newer published changes; nothing was published")
                            .put("view", v.name())
                            .putStrings("conflicts", e.paths()));
        }
        // every view, this one included, was told through the engine's listener before publish returned
        // overridden/kept: what a forced publish did to others' changes and to its own (docs/publish-force.md)
        return ControlReply.ok(verb)
                .put("view", r.view())
                .put("changed_paths", r.changedPaths())
                .put("changed_bytes", r.bytes())
                .put("published_version", r.version())
                .putStrings("overridden", r.overridden())
                .putStrings("kept", r.kept())
                .put("removed", removeIfAbandoned(v));
    }

    /**
     * A view made without a name (txfs run without --view) that holds nothing and that no process is in has
     * nobody to come back for it: removed (after the publish that emptied it, e.g. `txfs publish VIEW` of an
     * orphaned run view). Named views stay until aborted: their name is how their user finds them again.
     */
    private boolean removeIfAbandoned(View v) {
        if (!v.anonymous()) {
            return false;
        }
        synchronized (membership) {
            if (views.liveness().live(v.name())) {
                return false;
            }
            boolean removed = removeIfUnchanged(v);
            if (removed) {
                log.info("removed view {}: made by txfs run, now empty, and no process is in it", v.name());
            }
            return removed;
        }
    }

    /** Removes the view as abort does if nothing is pending in it (one step in the engine); says whether it did. */
    private boolean removeIfUnchanged(View v) {
        ChangeSet cs = engine.discardIfUnchanged(v);
        if (cs == null) {
            return false;
        }
        views.registry().forgetView(v.name());
        invalidator.invalidate(v.name(), cs);
        return true;
    }

    /**
     * {@code refresh [view=NAME]}: a rebase onto the newest published state (Engine.refresh), refused with the
     * conflicting paths like a publish. The kernel's caches of the view's nodes are dropped as after a publish.
     */
    private ControlReply refresh(RequestContext caller, ControlCommand cmd) throws ControlRefusal {
        View v = target(caller, cmd);
        if (!Views.notBegun(v)) {
            try {
                invalidator.invalidate(v.name(), engine.refresh(v));
            } catch (RefreshConflictException e) {
                throw new ControlRefusal(
                        Errno.EBUSY,
                        ControlReply.error(
                                        cmd.verb(),
                                        "EBUSY",
                                        "refresh of view " + v.name()
                                                + " conflicts with newer published changes; nothing was changed")
                                .put("view", v.name())
                                .putStrings("conflicts", e.paths()));
            }
        }
        return ControlReply.ok(ControlVerb.REFRESH)
                .put("view", v.name())
                .put("snapshot_version", v.info().snapshotVersion())
                .put("published_version", engine.headVersion())
                .put("changed_paths", engine.pendingDelta(v).size());
    }

    /** Collecting and compacting works on the whole mount's state: the mount's administrators decide when. */
    private ControlReply gc(RequestContext caller, ControlCommand cmd) throws ControlRefusal {
        requireAdministrator(caller, cmd.verb());
        GcReport r = engine.gc();
        return ControlReply.ok(ControlVerb.GC)
                .put("bytes_before", r.bytesBefore())
                .put("bytes_after", r.bytesAfter())
                .put("reclaimed_bytes", r.reclaimed())
                .put("millis", r.millis())
                .put("node_versions", r.deleted().nodeVersions())
                .put("entry_versions", r.deleted().entryVersions())
                .put("chunks", r.deleted().chunks())
                .put("preserved_copies", r.deleted().preservedCopies());
    }

    private ControlReply flush(RequestContext caller, ControlCommand cmd) throws ControlRefusal {
        requireAdministrator(caller, cmd.verb());
        return flushed(ControlReply.ok(ControlVerb.FLUSH), flushOrRefuse(ControlVerb.FLUSH));
    }

    /** Flushing writes every view's published work to BACKING: the mount's administrators decide when. */
    private void requireAdministrator(RequestContext caller, ControlVerb verb) throws ControlRefusal {
        if (!administrators.permit(caller.uid(), groupsOf(caller))) {
            throw new ControlRefusal(
                    Errno.EPERM,
                    verb,
                    verb.word() + " of the mount is for " + administrators.describe() + ", not uid " + caller.uid());
        }
    }

    /**
     * Rescanning writes a published version for every view to see, like a flush writes BACKING: the same
     * people decide when (root, the mount's owner, the --flush-group).
     */
    private ControlReply rescan(RequestContext caller, ControlCommand cmd) throws ControlRefusal {
        requireAdministrator(caller, cmd.verb());
        RescanResult r = engine.rescan(); // the engine's listener invalidated what read-committed views cached
        return ControlReply.ok(ControlVerb.RESCAN)
                .put("published_version", engine.headVersion())
                .put("flushed_version", engine.flushedVersion())
                .put("took_in", r.tookIn())
                .put("outside_version", r.version())
                .put("directories_checked", r.directoriesChecked())
                .putStrings("added", r.added())
                .putStrings("changed", r.changed())
                .putStrings("removed", r.removed())
                .putStrings("overridden", r.overridden());
    }

    private ControlReply commit(RequestContext caller, ControlCommand cmd) throws ControlRefusal {
        // refused before the publish: a commit that cannot flush does nothing
        requireAdministrator(caller, cmd.verb());
        ControlReply published = publish(caller, cmd, ControlVerb.COMMIT);
        return flushed(published, flushOrRefuse(ControlVerb.COMMIT));
    }

    /** A refused flush fails the write with EIO; the reply lists every path and why ("problems"). */
    private FlushResult flushOrRefuse(ControlVerb verb) throws ControlRefusal {
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

    private static ControlReply flushed(ControlReply reply, FlushResult f) {
        return reply.put("flushed_version", f.flushedVersion())
                .put("flushed_paths", f.paths())
                .put("flushed_bytes", f.bytes());
    }

    private ControlReply abort(RequestContext caller, ControlCommand cmd) throws ControlRefusal {
        View v = target(caller, cmd);
        if (Views.notBegun(v)) {
            return ControlReply.ok(ControlVerb.ABORT)
                    .put("view", v.name())
                    .put("discarded_paths", 0)
                    .put("removed", false);
        }
        if (cmd.ifUnchanged()) {
            boolean removed = removeIfUnchanged(v);
            return ControlReply.ok(ControlVerb.ABORT)
                    .put("view", v.name())
                    .put("discarded_paths", 0)
                    .put("removed", removed)
                    .put("changed_paths", removed ? 0 : engine.pendingDelta(v).size())
                    .put("changed_bytes", removed ? 0 : v.info().pendingBytes());
        }
        return ControlReply.ok(ControlVerb.ABORT)
                .put("view", v.name())
                .put("discarded_paths", remove(v))
                .put("removed", true);
    }

    /** Removes a view as abort does; returns how many pending paths it discarded. */
    private long remove(View v) {
        long paths = engine.pendingDelta(v).size();
        // SPEC: abort removes the view entirely, not only its changes. Its processes are forgotten now,
        // so that they fall back to the default view, and never join a later view of the same name.
        ChangeSet cs = engine.discard(v);
        views.registry().forgetView(v.name());
        invalidator.invalidate(v.name(), cs);
        return paths;
    }

    /**
     * {@code prune [older_than=SECONDS]}: removes the caller's orphaned views (root: all), each like
     * abort. The daemon decides orphan-ness ({@link ViewLiveness}), never the client: a view with a
     * live process is kept and listed under "live". Age is counted from the view's creation.
     */
    private ControlReply prune(RequestContext caller, ControlCommand cmd) {
        long minAgeNs = cmd.olderThanSeconds().map(ViewControl::secondsToNanos).orElse(-1L);
        ArrayNode pruned = ControlReply.json().createArrayNode();
        List<String> live = new ArrayList<>();
        List<String> young = new ArrayList<>();
        synchronized (membership) {
            ViewLiveness liveness = views.liveness();
            long now = Clock.SYSTEM.nowNanos();
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
                long paths = remove(v);
                pruned.addObject().put("view", v.name()).put("discarded_paths", paths);
                log.info("uid {} pruned orphaned view {} ({} pending paths)", caller.uid(), v.name(), paths);
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

    /** The shared default's group commit and the auto-flush, where the mount has them: their failures are never only in the log. */
    private void backgroundWork(ControlReply reply) {
        if (views == null) {
            return; // a control over the engine alone (InspectRepliesGoldenTest) has no default views
        }
        GroupCommit group = views.groupCommit();
        if (group != null) {
            GroupCommit.Status g = group.status();
            ObjectNode n = ControlReply.json().createObjectNode();
            n.put("window_ms", g.policy().window().toMillis())
                    .put("max_operations", g.policy().maxOps())
                    .put("operations", g.operations())
                    .put("groups", g.groups())
                    .put("waiting", g.waiting())
                    .put("failures", g.failures());
            if (g.lastError() != null) {
                n.put("last_error", g.lastError());
            }
            reply.putNode("group_commit", n);
        }
        AutoFlush flush = views.autoFlush();
        if (flush != null) {
            AutoFlush.Status a = flush.status();
            ObjectNode n = ControlReply.json().createObjectNode();
            n.put("every_ms", a.every().toMillis()).put("flushes", a.flushes()).put("failures", a.failures());
            if (a.lastFlushedVersion() >= 0) {
                n.put("last_flushed_version", a.lastFlushedVersion());
            }
            if (a.lastError() != null) {
                n.put("last_error", a.lastError());
            }
            reply.putNode("auto_flush", n);
        }
    }

    private ControlReply status(RequestContext caller, ControlCommand cmd) throws ControlRefusal {
        View v = target(caller, cmd);
        List<DeltaEntry> delta = engine.pendingDelta(v);
        ArrayNode entries = ControlReply.json().createArrayNode();
        long bytes = 0;
        for (DeltaEntry d : delta) {
            ObjectNode e = entries.addObject();
            e.put("path", d.path());
            e.put("kind", d.kind().name().toLowerCase(Locale.ROOT));
            if (d.oldType() != null) {
                e.put("old_type", d.oldType().name().toLowerCase(Locale.ROOT));
                e.put("old_size", d.oldSize());
                e.put("old_mode", d.oldType().bits() | d.oldPerm());
            }
            if (d.newType() != null) {
                e.put("new_type", d.newType().name().toLowerCase(Locale.ROOT));
                e.put("new_size", d.newSize());
                e.put("new_mode", d.newType().bits() | d.newPerm());
            }
        }
        ViewInfo info = v.info();
        bytes = info.pendingBytes();
        ControlReply reply = ControlReply.ok(ControlVerb.STATUS)
                .put("view", v.name())
                .put("isolation", isolationWord(v.isolation()))
                .put("snapshot_version", info.snapshotVersion())
                .put("published_version", engine.headVersion())
                .put("flushed_version", engine.flushedVersion())
                .put("backing", backingState())
                .put("changed_paths", delta.size())
                .put("changed_bytes", bytes)
                .putNode("entries", entries);
        backgroundWork(reply);
        if (cmd.canonical()) {
            Delta d = canonicalDelta(caller, cmd, v, delta);
            ArrayNode canonical = ControlReply.json().createArrayNode();
            try {
                for (String line : new String(d.canonicalBytes(), StandardCharsets.UTF_8).split("\n")) {
                    if (!line.isEmpty()) {
                        canonical.add(ControlReply.json().readTree(line));
                    }
                }
            } catch (IOException e) {
                throw new IllegalStateException("canonical delta is not JSON lines", e);
            }
            reply.put("objects", d.format().gitName())
                    .put("delta_id", d.id().hex())
                    .putNode("canonical", canonical);
        }
        return reply;
    }

    /** The canonical delta of a view's pending changes against its base, read as the caller may. */
    private Delta canonicalDelta(RequestContext caller, ControlCommand cmd, View v, List<DeltaEntry> pending)
            throws ControlRefusal {
        ObjectFormat format = objectFormat(cmd.objects().orElse("sha1"));
        try {
            TreeSource before = new ViewTreeSource(engine, ViewDiff.baseOf(engine, v));
            TreeSource after = new ViewTreeSource(engine, v);
            PendingScopeTreeSource.Scope scope = PendingScopeTreeSource.Scope.of(pending, before, after);
            Set<Long> groups = groupsOf(caller);
            return new DeltaComputer(format, false)
                    .compute(
                            CallerAccessTreeSource.forCaller(scope.wrap(before), caller.uid(), groups),
                            CallerAccessTreeSource.forCaller(scope.wrap(after), caller.uid(), groups));
        } catch (IOException e) {
            throw refusal(cmd.verb(), e);
        }
    }

    private ControlReply diff(RequestContext caller, ControlCommand cmd) throws ControlRefusal {
        if (cmd.from().isPresent()) {
            return versions.diff(caller, cmd);
        }
        View v = target(caller, cmd);
        if (cmd.format().orElse("text").equals("jsonl")) {
            Delta d = canonicalDelta(caller, cmd, v, engine.pendingDelta(v));
            return ControlReply.ok(ControlVerb.DIFF)
                    .put("view", v.name())
                    .put("format", "jsonl")
                    .put("objects", d.format().gitName())
                    .put("delta_id", d.id().hex())
                    .put("changed_paths", d.entries().size())
                    .put("jsonl", new String(d.canonicalBytes(), StandardCharsets.UTF_8));
        }
        return ControlReply.ok(ControlVerb.DIFF)
                .put("view", v.name())
                .put("diff", ViewDiff.unified(engine, v, new Caller(caller.uid(), caller.gid())));
    }

    /** {@code hash}: the git-compatible (or extended) id of a view, the published state or the backing directory. */
    private ControlReply hash(RequestContext caller, ControlCommand cmd) throws ControlRefusal {
        long started = System.nanoTime();
        ControlReply reply = ControlReply.ok(ControlVerb.HASH);
        // only root's hashes share the cache: a hit skips every read (and access check) below it
        boolean trusted = caller.uid() == 0;
        TreeSource source;
        if (cmd.backing()) {
            if (backing == null) {
                throw new ControlRefusal(
                        Errno.EOPNOTSUPP, cmd.verb(), "this mount does not offer its backing directory");
            }
            // the flusher may be writing it: a hash of the backing directory is of whatever it holds now
            source = new WithoutControlDirectory(new DirectoryTreeSource(backing));
            reply.put("state", "backing");
        } else if (cmd.published()) {
            source = trusted ? SnapshotTokenSources.published(engine) : new ViewTreeSource(engine, engine.published());
            reply.put("state", "published").put("published_version", engine.headVersion());
        } else {
            View v = target(caller, cmd);
            try {
                source = trusted ? SnapshotTokenSources.view(engine, v) : new ViewTreeSource(engine, v);
            } catch (IOException e) {
                throw refusal(cmd.verb(), e);
            }
            reply.put("state", "view").put("view", v.name());
        }
        ObjectFormat format = objectFormat(cmd.format().orElse("sha1"));
        TreeIdOptions options =
                cmd.extended() ? TreeIdOptions.extended(format, cmd.mtimes()) : TreeIdOptions.git(format);
        TreePath path;
        try {
            path = TreePath.ofBytes(cmd.pathBytes().orElse(new byte[0]));
        } catch (IllegalArgumentException e) {
            throw new ControlRefusal(
                    Errno.EINVAL,
                    cmd.verb(),
                    "bad path (relative, no empty, '.' or '..' components): " + e.getMessage());
        }
        try {
            TreeSource asCaller = CallerAccessTreeSource.forCaller(source, caller.uid(), groupsOf(caller));
            String id;
            // only a walk of the backing directory is long enough to show: the others reuse version tokens
            try (LongWork work = cmd.backing() ? engine.works().start("hash") : LongWork.unwatched()) {
                if (cmd.backing()) asCaller = new ProgressTreeSource(asCaller, work);
                id = (trusted ? new TreeHasher(options, hashCache) : new TreeHasher(options))
                        .hash(asCaller, path)
                        .hex();
            }
            return reply.put("format", format.gitName())
                    .put("extended", cmd.extended())
                    .put("mtimes", cmd.mtimes())
                    .put("path", path.toString())
                    .put("id", id)
                    // the daemon's own time for the hash, without the client's start-up or the FUSE round trip
                    .put("elapsed_ns", System.nanoTime() - started);
        } catch (IOException e) {
            throw refusal(cmd.verb(), e);
        }
    }

    /**
     * {@code export}: the view's pending delta as an OCI layer tar, the raw reply, read as the caller may
     * read the tree. The delta (paths and content hashes) is computed now; the tar is written while the
     * client reads it (ControlReply.streamed): any size, a bounded buffer of heap. With {@code canonical}
     * one JSON line with the delta id comes first ({@code txfs export --format oci-dir}).
     */
    private ControlReply export(RequestContext caller, ControlCommand cmd) throws ControlRefusal {
        View v = target(caller, cmd);
        if (!cmd.format().orElse("").equals("oci-tar")) {
            throw new ControlRefusal(Errno.EINVAL, cmd.verb(), "export needs format=oci-tar");
        }
        List<DeltaEntry> pending = engine.pendingDelta(v);
        TreeSource b;
        TreeSource a;
        Delta d;
        try {
            TreeSource before = new ViewTreeSource(engine, ViewDiff.baseOf(engine, v));
            TreeSource after = new ViewTreeSource(engine, v);
            PendingScopeTreeSource.Scope scope = PendingScopeTreeSource.Scope.of(pending, before, after);
            Set<Long> groups = groupsOf(caller);
            b = CallerAccessTreeSource.forCaller(scope.wrap(before), caller.uid(), groups);
            a = CallerAccessTreeSource.forCaller(scope.wrap(after), caller.uid(), groups);
            d = new DeltaComputer(ObjectFormat.SHA1, false).compute(b, a);
        } catch (IOException e) {
            throw refusal(cmd.verb(), e);
        }
        String viewName = v.name();
        boolean header = cmd.canonical();
        return ControlReply.streamed(ControlVerb.EXPORT, out -> {
            if (header) {
                ObjectNode h = ControlReply.json()
                        .createObjectNode()
                        .put("view", viewName)
                        .put("objects", d.format().gitName())
                        .put("delta_id", d.id().hex())
                        .put("entries", d.entries().size());
                out.write((h.toString() + "\n").getBytes(StandardCharsets.UTF_8));
            }
            try (LongWork work = engine.works().start("export")) {
                work.phase("write", LongWork.UNKNOWN, LongWork.UNKNOWN);
                CountingOutputStream counted = new CountingOutputStream(new ProgressOutputStream(out, work));
                new OciLayerWriter(OciLayerWriter.Options.defaults()).write(d, b, a, counted);
                log.info(
                        "export of view {} for uid {}: {} entries, {} bytes",
                        viewName,
                        caller.uid(),
                        d.entries().size(),
                        counted.count());
            }
        });
    }

    /**
     * {@code import}: applies the layer the caller holds open as {@code fd} to a view (created on the
     * newest published state when it does not exist). The layer is spooled once (a file the caller can no
     * longer change) and read from there in place by both passes, so its size costs disk, not heap; it is checked completely (the
     * importer's validation plus {@link LayerPrecheckSink}'s dry run) and only then applied; a rejected
     * layer changes nothing. An I/O error during the apply itself discards a view this import created
     * and leaves a view that existed before with the changes made so far (reported).
     */
    private ControlReply importLayer(RequestContext caller, ControlCommand cmd) throws ControlRefusal {
        if (cmd.fd().isEmpty()) {
            throw new ControlRefusal(
                    Errno.EINVAL, cmd.verb(), "import needs fd=N (a descriptor of the caller open on the layer)");
        }
        try (LongWork work = engine.works().start("import")) {
            return importLayer(caller, cmd, work);
        }
    }

    private ControlReply importLayer(RequestContext caller, ControlCommand cmd, LongWork work) throws ControlRefusal {
        Path spool = null;
        work.phase("read", LongWork.UNKNOWN, LongWork.UNKNOWN);
        try (CallerDescriptor in = CallerDescriptor.open(caller.pid(), cmd.fd().get())) {
            Path scratch = engine.scratchDirectory();
            spool = scratch != null
                    ? Files.createTempFile(scratch, "import-", ".tar")
                    : Files.createTempFile("txfs-import-", ".tar");
            try (OutputStream to = new ProgressOutputStream(Files.newOutputStream(spool), work)) {
                in.transferTo(to);
            }
        } catch (IOException e) {
            deleteQuietly(spool);
            throw refusal(cmd.verb(), e);
        }
        try {
            View v;
            boolean created = false;
            if (cmd.view().isPresent()) {
                try {
                    v = engine.view(cmd.view().get());
                    requireOwner(caller, v, cmd.verb());
                } catch (FsException absent) {
                    v = null;
                }
            } else {
                v = target(caller, cmd);
                if (Views.notBegun(v)) {
                    v = views.forChange(v.name(), caller); // an import is a change: the session's view begins
                }
            }
            boolean root = caller.uid() == 0;
            OciLayerImporter importer = new OciLayerImporter(new OciLayerImporter.Options(1 << 20, root, true));
            Caller owner = new Caller(caller.uid(), caller.gid());
            AccessIdentity who =
                    new AccessIdentity(caller.uid(), Integer.toUnsignedLong(caller.gid()), groupsOf(caller));
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
                throw refusal(cmd.verb(), e);
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
                if (created) {
                    engine.discard(v);
                }
                log.error("import into view {} failed while applying", v.name(), e);
                throw new ControlRefusal(
                        Errno.EIO,
                        cmd.verb(),
                        "import failed while applying: " + e.getMessage()
                                + (created
                                        ? "; the view it created was discarded"
                                        : "; view " + v.name() + " keeps the changes made so far"));
            }
            invalidator.invalidate(v.name(), changesOf(v));
            return ControlReply.ok(ControlVerb.IMPORT)
                    .put("view", v.name())
                    .put("created", created)
                    .put("deletions", summary.deletions())
                    .put("entries", summary.entries())
                    .put("changed_paths", engine.pendingDelta(v).size());
        } finally {
            deleteQuietly(spool);
        }
    }

    /**
     * What the kernel may have cached of a view's pending paths (the import wrote through the engine,
     * not the kernel). Paths are the engine's strings: a non-UTF-8 name may be missed, and is then
     * stale only until its cache timeout.
     */
    private ChangeSet changesOf(View v) {
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
                log.warn("cannot delete import spool {}: {}", p, e.toString());
            }
        }
    }

    private static ObjectFormat objectFormat(String word) {
        return word.equals("sha256") ? ObjectFormat.SHA256 : ObjectFormat.SHA1;
    }

    private static ControlRefusal refusal(ControlVerb verb, IOException e) {
        if (e instanceof NoSuchFileException) {
            return new ControlRefusal(Errno.ENOENT, verb, "no such path: " + e.getMessage());
        }
        if (e instanceof NotPermittedException p) {
            return new ControlRefusal(Errno.EPERM, verb, "not permitted: " + p.getFile() + " (" + p.getReason() + ")");
        }
        if (e instanceof AccessDeniedException a) {
            return new ControlRefusal(
                    Errno.EACCES, verb, "permission denied: " + a.getFile() + " (" + a.getReason() + ")");
        }
        if (e instanceof LayerRejectedException r) {
            return new ControlRefusal(
                    Errno.EINVAL,
                    verb,
                    "layer rejected (" + r.reason() + "): " + e.getMessage() + "; nothing was changed");
        }
        if (e instanceof CallerDescriptor.InsideMountException || e instanceof CallerDescriptor.NotRegularException) {
            return new ControlRefusal(Errno.EINVAL, verb, e.getMessage());
        }
        if (e instanceof UnrepresentableEntryException) {
            return new ControlRefusal(Errno.EINVAL, verb, e.getMessage());
        }
        log.error("{}: reading the tree failed", verb.word(), e);
        return new ControlRefusal(Errno.EIO, verb, "reading the tree failed: " + e.getMessage());
    }

    /** The caller's primary and supplementary groups (from /proc; the primary only if that fails). */
    static Set<Long> groupsOf(RequestContext caller) {
        Set<Long> out = new HashSet<>();
        out.add(Integer.toUnsignedLong(caller.gid()));
        if (caller.uid() == 0) {
            return out;
        }
        try {
            for (int g : SupplementaryGroups.of(caller.pid(), Integer.MAX_VALUE)) {
                out.add(Integer.toUnsignedLong(g));
            }
        } catch (IOException e) {
            log.info("groups of pid {} unknown ({}); checking with its primary group only", caller.pid(), e.toString());
        }
        return out;
    }

    /** The backing directory without {@code .txfs} at its root, as views show it. */
    private static final class WithoutControlDirectory implements TreeSource {
        private static final Name RESERVED = Name.of(".txfs");
        private final TreeSource inner;

        WithoutControlDirectory(TreeSource inner) {
            this.inner = inner;
        }

        private TreePath check(TreePath p) throws NoSuchFileException {
            if (!p.isRoot() && p.names().get(0).equals(RESERVED)) {
                throw new NoSuchFileException(p.toString());
            }
            return p;
        }

        @Override
        public List<Name> list(TreePath dir) throws IOException {
            List<Name> names = new ArrayList<>(inner.list(check(dir)));
            if (dir.isRoot()) {
                names.remove(RESERVED);
            }
            return names;
        }

        @Override
        public EntryStat stat(TreePath path) throws IOException {
            return inner.stat(check(path));
        }

        @Override
        public SortedMap<Name, byte[]> xattrs(TreePath path) throws IOException {
            return inner.xattrs(check(path));
        }

        @Override
        public InputStream open(TreePath path) throws IOException {
            return inner.open(check(path));
        }

        @Override
        public byte[] readLink(TreePath path) throws IOException {
            return inner.readLink(check(path));
        }
    }

    private ControlReply views(RequestContext caller) {
        ArrayNode list = ControlReply.json().createArrayNode();
        ViewLiveness liveness = views.liveness();
        long now = Clock.SYSTEM.nowNanos();
        Map<String, Long> pinned = engine.pinnedBytes();
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

    /** The view a command names, or the caller's own; naming another's view needs its uid or root. */
    private View target(RequestContext caller, ControlCommand cmd) throws ControlRefusal {
        View v;
        if (cmd.view().isPresent()) {
            try {
                v = engine.view(cmd.view().get());
            } catch (FsException e) {
                throw new ControlRefusal(
                        Errno.ENOENT, cmd.verb(), "no view " + cmd.view().get());
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

    /** "ok", or why the backing directory cannot be served (deleted or moved away while mounted). */
    private String backingState() {
        String problem = engine.backingProblem();
        return problem == null ? "ok" : problem;
    }

    private static String isolationWord(Isolation i) {
        return i == Isolation.READ_COMMITTED ? "read-committed" : "snapshot";
    }
}
