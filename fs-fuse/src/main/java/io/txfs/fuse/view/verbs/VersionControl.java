package io.txfs.fuse.view.verbs;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.txfs.control.ControlCommand;
import io.txfs.control.ControlRefusal;
import io.txfs.control.ControlReply;
import io.txfs.control.ControlVerb;
import io.txfs.core.Engine;
import io.txfs.core.PinnedViews;
import io.txfs.core.format.DeltaIdRecord;
import io.txfs.core.inspect.ObjectFormat;
import io.txfs.core.inspect.TreeSource;
import io.txfs.core.inspect.delta.Delta;
import io.txfs.core.inspect.delta.DeltaComputer;
import io.txfs.core.inspect.delta.DeltaText;
import io.txfs.core.inspect.engine.CallerAccessTreeSource;
import io.txfs.core.inspect.engine.DeltaIdLog;
import io.txfs.core.inspect.engine.SnapshotTokenSources;
import io.txfs.core.model.FsException;
import io.txfs.core.model.LogEntry;
import io.txfs.core.tree.View;
import io.txfs.fuse.RequestContext;
import io.txfs.fuse.view.CallerGroups;
import io.txfs.fuse.view.Views;
import io.txfs.sys.Errno;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control verbs about published versions: {@code log} with each version's delta id, and
 * {@code diff from=S to=S} between two states of the log. Versions are immutable, so both sides carry
 * subtree version tokens and a diff reads only what changed between them.
 */
final class VersionControl {
    private static final Logger log = LoggerFactory.getLogger(VersionControl.class);
    /** How long {@code log} waits for delta ids still being computed before it shows them as pending. */
    static final long LOG_WAIT_MILLIS = 2_000;

    private final Engine engine;
    private final DeltaIdLog ids;

    VersionControl(Engine engine, DeltaIdLog ids) {
        this.engine = engine;
        this.ids = ids;
    }

    /** How long {@code log wait} waits at most for delta ids. */
    static final long LOG_WAIT_ALL_MILLIS = 600_000;

    /**
     * {@code log}: publishes and flushes, oldest first, each with its delta id (or pending / unavailable);
     * {@code wait}: until every queued id is computed (a build tool that wants its publish's final id).
     */
    ControlReply log(boolean waitForAll) {
        if (ids != null) {
            try {
                ids.awaitIdle(waitForAll ? LOG_WAIT_ALL_MILLIS : LOG_WAIT_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        ArrayNode list = ControlReply.json().createArrayNode();
        for (LogEntry e : engine.log()) {
            ObjectNode o = list.addObject();
            o.put("version", e.version());
            o.put("kind", e.kind());
            o.put("view", e.view());
            o.put("time_ns", e.timeNs());
            o.put("time", Instant.ofEpochSecond(0, e.timeNs()).toString());
            o.put("paths", e.paths());
            o.put("bytes", e.bytes());
            DeltaIdRecord r = engine.deltaId(e.version());
            if (r == null) {
                o.putNull("delta_id");
                o.put("delta_state", "pending");
            } else if (r.available()) {
                o.put("delta_id", r.id());
                o.put("delta_state", "computed");
                o.put("delta_from", r.from());
                o.put("delta_entries", r.entries());
            } else {
                o.putNull("delta_id");
                o.put("delta_state", "unavailable");
                o.put("delta_from", r.from());
                o.put("delta_problem", r.problem());
            }
        }
        return ControlReply.ok(ControlVerb.LOG)
                .put("published_version", engine.headVersion())
                .put("flushed_version", engine.flushedVersion())
                .put("delta_objects", "sha1")
                .putNode("entries", list);
    }

    /** {@code diff from=S to=S [format=text|jsonl] [objects=…]}: the change from one state of the log to another. */
    ControlReply diff(RequestContext caller, ControlCommand cmd) throws ControlRefusal {
        long from = version(cmd, cmd.from().orElseThrow());
        long to = version(cmd, cmd.to().orElseThrow());
        boolean jsonl = cmd.format().orElse("text").equals("jsonl");
        ObjectFormat format = cmd.objects().orElse("sha1").equals("sha256") ? ObjectFormat.SHA256 : ObjectFormat.SHA1;
        Set<Long> groups = CallerGroups.of(caller);
        // a version the collector no longer keeps is refused by the engine (ENOENT), mapped like any FsException by
        // ViewControl
        View fromView = engine.versionView(from);
        View toView;
        try {
            toView = engine.versionView(to);
        } catch (FsException e) {
            PinnedViews.release(engine, fromView);
            throw e;
        }
        try {
            TreeSource before = CallerAccessTreeSource.forCaller(
                    SnapshotTokenSources.version(engine, fromView), caller.uid(), groups);
            TreeSource after = CallerAccessTreeSource.forCaller(
                    SnapshotTokenSources.version(engine, toView), caller.uid(), groups);
            Delta d = new DeltaComputer(format, false).compute(before, after);
            ControlReply reply = ControlReply.ok(ControlVerb.DIFF)
                    .put("from_version", from)
                    .put("to_version", to)
                    .put("format", jsonl ? "jsonl" : "text")
                    .put("objects", format.gitName())
                    .put("delta_id", d.id().hex())
                    .put("changed_paths", d.entries().size());
            if (jsonl) {
                return reply.put("jsonl", new String(d.canonicalBytes(), StandardCharsets.UTF_8));
            }
            return reply.put("diff", DeltaText.unified(d, before, after));
        } catch (NoSuchFileException e) {
            throw new ControlRefusal(
                    Errno.EIO,
                    cmd.verb(),
                    "version " + from + " or " + to + " changed while being read: " + e.getMessage());
        } catch (AccessDeniedException e) {
            throw new ControlRefusal(
                    Errno.EACCES, cmd.verb(), "permission denied: " + e.getFile() + " (" + e.getReason() + ")");
        } catch (IOException | FsException | UncheckedIOException e) {
            log.warn("diff of versions {} and {}: {}", from, to, e.toString());
            throw new ControlRefusal(
                    Errno.EIO,
                    cmd.verb(),
                    "the content of version " + Math.min(from, to) + " or " + Math.max(from, to)
                            + " can no longer be read (a later flush replaced a backing file it was in, and nothing preserved it): "
                            + e.getMessage());
        } finally {
            PinnedViews.release(engine, fromView);
            PinnedViews.release(engine, toView);
        }
    }

    /**
     * {@code diff view=V from=A to=B} where A or B is a state of the view: {@code cp:NAME} (a checkpoint) or
     * {@code current}; the other may be a state of the log. Nothing is locked meanwhile (a read may take in
     * an outside change, which takes the publish lock): a checkpoint's records never change while it exists,
     * so a diff is refused (EAGAIN) when one of its checkpoints was dropped before it was done.
     */
    ControlReply diffInView(RequestContext caller, ControlCommand cmd, View v) throws ControlRefusal {
        String from = cmd.from().orElseThrow();
        String to = cmd.to().orElseThrow();
        boolean jsonl = cmd.format().orElse("text").equals("jsonl");
        ObjectFormat format = cmd.objects().orElse("sha1").equals("sha256") ? ObjectFormat.SHA256 : ObjectFormat.SHA1;
        Set<Long> groups = CallerGroups.of(caller);
        List<View> pins = new ArrayList<>();
        List<View> checkpoints = new ArrayList<>();
        try {
            TreeSource before =
                    CallerAccessTreeSource.forCaller(side(cmd, v, from, pins, checkpoints), caller.uid(), groups);
            TreeSource after =
                    CallerAccessTreeSource.forCaller(side(cmd, v, to, pins, checkpoints), caller.uid(), groups);
            Delta d = new DeltaComputer(format, false).compute(before, after);
            String text = jsonl ? null : DeltaText.unified(d, before, after);
            requireCheckpoints(cmd, v, checkpoints);
            ControlReply reply = ControlReply.ok(ControlVerb.DIFF)
                    .put("view", v.name())
                    .put("from", from)
                    .put("to", to)
                    .put("format", jsonl ? "jsonl" : "text")
                    .put("objects", format.gitName())
                    .put("delta_id", d.id().hex())
                    .put("changed_paths", d.entries().size());
            if (jsonl) {
                return reply.put("jsonl", new String(d.canonicalBytes(), StandardCharsets.UTF_8));
            }
            return reply.put("diff", text);
        } catch (AccessDeniedException e) {
            throw new ControlRefusal(
                    Errno.EACCES, cmd.verb(), "permission denied: " + e.getFile() + " (" + e.getReason() + ")");
        } catch (IOException | UncheckedIOException | FsException e) {
            requireCheckpoints(cmd, v, checkpoints);
            if (e instanceof FsException fe) throw fe;
            log.warn("diff of {} from {} to {}: {}", v.name(), from, to, e.toString());
            throw new ControlRefusal(Errno.EIO, cmd.verb(), "diff of " + from + " and " + to + ": " + e.getMessage());
        } finally {
            for (View p : pins) PinnedViews.release(engine, p);
        }
    }

    /** One side of {@link #diffInView}: a checkpoint, the view now, or a state of the log (its pin noted). */
    private TreeSource side(ControlCommand cmd, View v, String word, List<View> pins, List<View> checkpoints)
            throws ControlRefusal, IOException {
        if (word.startsWith("cp:")) {
            if (Views.notBegun(v)) {
                throw new ControlRefusal(
                        Errno.ENOENT, cmd.verb(), "no checkpoint " + word.substring(3) + " in view " + v.name());
            }
            View handle = engine.checkpointHandle(v, word.substring(3));
            checkpoints.add(handle);
            return SnapshotTokenSources.view(engine, handle);
        }
        if (word.equals("current")) {
            return SnapshotTokenSources.view(engine, v);
        }
        View version = engine.versionView(version(cmd, word));
        pins.add(version);
        return SnapshotTokenSources.version(engine, version);
    }

    private void requireCheckpoints(ControlCommand cmd, View v, List<View> handles) throws ControlRefusal {
        for (View h : handles) {
            if (!engine.hasCheckpoint(v, h)) {
                throw new ControlRefusal(
                        Errno.EAGAIN,
                        cmd.verb(),
                        "checkpoint " + h.name() + " was dropped (a rollback, publish or abort) while it was read");
            }
        }
    }

    private long version(ControlCommand cmd, String word) throws ControlRefusal {
        long head = engine.headVersion();
        long v = switch (word) {
            case "published" -> head;
            case "flushed" -> engine.flushedVersion();
            default -> Long.parseLong(word);
        };
        if (v > head) {
            throw new ControlRefusal(Errno.ENOENT, cmd.verb(), "no version " + v + " (the newest is " + head + ")");
        }
        return v;
    }
}
