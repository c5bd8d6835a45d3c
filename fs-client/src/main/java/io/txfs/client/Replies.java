package io.txfs.client;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The daemon's replies turned into this client's types: the one place that knows the fields of the wire
 * format (docs/inspection.md, "Control verbs and CLI"; the verbs in fs-fuse's {@code io.txfs.fuse.view.verbs}).
 */
final class Replies {
    private Replies() {}

    /** A reply with {@code "ok":false}: a conflict when it is EBUSY and lists paths, else a plain refusal. */
    static TxfsException refusal(JsonObject reply) throws MalformedReplyException {
        String errno = reply.optionalString("error").orElse("EIO");
        String message = reply.optionalString("message").orElse("refused");
        if (errno.equals("EBUSY") && reply.has("conflicts")) {
            return new PublishConflictException(
                    reply.optionalString("view").orElse("?"), relative(reply.strings("conflicts")), message);
        }
        return new TxfsException(errno, message);
    }

    static BeginResult begin(JsonObject r) throws MalformedReplyException {
        return new BeginResult(
                r.string("view"),
                r.bool("created"),
                Isolation.of(r.string("isolation")),
                r.number("snapshot_version"),
                r.optionalString("parent"));
    }

    static List<ViewInfo> views(JsonObject r) throws MalformedReplyException {
        List<ViewInfo> out = new ArrayList<>();
        for (JsonObject v : r.objects("views")) {
            out.add(new ViewInfo(
                    v.string("name"),
                    Isolation.of(v.string("isolation")),
                    v.number("owner_uid"),
                    v.number("snapshot_version"),
                    v.number("changed_paths"),
                    v.number("changed_bytes"),
                    v.optionalNumber("pinned_bytes").orElse(0),
                    !v.bool("orphaned"),
                    v.optionalString("parent"),
                    instant(v.string("created"))));
        }
        return List.copyOf(out);
    }

    static ViewStatus status(JsonObject r) throws MalformedReplyException {
        List<StatusEntry> entries = new ArrayList<>();
        for (JsonObject e : r.objects("entries")) {
            entries.add(new StatusEntry(
                    e.string("path"), ChangeKind.of(e.string("kind")), side(e, "old_"), side(e, "new_")));
        }
        return new ViewStatus(
                r.string("view"),
                Isolation.of(r.string("isolation")),
                r.number("snapshot_version"),
                r.number("published_version"),
                r.number("flushed_version"),
                r.number("changed_paths"),
                r.number("changed_bytes"),
                entries);
    }

    /** {@code old_type}, {@code old_size}, {@code old_mode} (type bits included) or the {@code new_} ones. */
    private static Optional<EntryState> side(JsonObject e, String prefix) throws MalformedReplyException {
        if (!e.has(prefix + "type")) {
            return Optional.empty();
        }
        return Optional.of(new EntryState(FileType.of(e.string(prefix + "type")), e.number(prefix + "size"), (int)
                (e.number(prefix + "mode") & 07777)));
    }

    /** {@code diff format=jsonl}: the canonical delta travels as JSON lines inside one string field. */
    static Diff diff(JsonObject r) throws MalformedReplyException {
        List<DeltaChange> changes = new ArrayList<>();
        for (String line : r.string("jsonl").split("\n")) {
            if (!line.isEmpty()) {
                changes.add(deltaChange(JsonObject.parse(line)));
            }
        }
        return new Diff(r.string("view"), r.string("objects"), r.string("delta_id"), changes);
    }

    static DeltaChange deltaChange(JsonObject e) throws MalformedReplyException {
        Optional<String> mode = e.optionalString("mode");
        return new DeltaChange(
                bytesText(e, "path").orElseThrow(() -> new MalformedReplyException("a delta entry has no 'path'")),
                ChangeKind.of(e.string("change")),
                FileType.of(e.string("type")),
                mode.isPresent() ? OptionalInt.of(octal(mode.get())) : OptionalInt.empty(),
                e.optionalNumber("uid"),
                e.optionalNumber("gid"),
                e.optionalNumber("size"),
                e.optionalString("content"),
                bytesText(e, "target"),
                bytesText(e, "link"),
                e.optionalNumber("rdev"),
                e.optionalNumber("mtime"));
    }

    /** Bytes of the canonical delta: a string when they are UTF-8, else {@code {"base64":"..."}}. */
    private static Optional<String> bytesText(JsonObject e, String key) throws MalformedReplyException {
        Object v = e.raw(key);
        if (v == null || v instanceof String) {
            return Optional.ofNullable((String) v);
        }
        String encoded = JsonObject.of(v, "'" + key + "'").string("base64");
        try {
            byte[] raw = Base64.getDecoder().decode(encoded);
            return Optional.of(
                    StandardCharsets.UTF_8.decode(ByteBuffer.wrap(raw)).toString());
        } catch (IllegalArgumentException bad) {
            throw new MalformedReplyException("'" + key + "' is not base64: " + encoded);
        }
    }

    private static int octal(String mode) throws MalformedReplyException {
        try {
            return Integer.parseInt(mode, 8);
        } catch (NumberFormatException bad) {
            throw new MalformedReplyException("'mode' is not octal: " + mode);
        }
    }

    static PublishResult publish(JsonObject r) throws MalformedReplyException {
        return new PublishResult(
                r.string("view"),
                r.number("changed_paths"),
                r.number("changed_bytes"),
                r.number("published_version"),
                relative(r.strings("overridden")),
                relative(r.strings("kept")),
                r.bool("removed", false),
                r.optionalString("merged_into"));
    }

    /**
     * Paths as {@code status} gives them, relative to the mount's root: the daemon writes the lists of a
     * publish ({@code conflicts}, {@code overridden}, {@code kept}) from the root ({@code /out/x}), and a
     * build matching a conflict against its status should not have to know that.
     */
    static List<String> relative(List<String> paths) {
        return paths.stream().map(p -> p.startsWith("/") ? p.substring(1) : p).toList();
    }

    static CommitResult commit(JsonObject r) throws MalformedReplyException {
        return new CommitResult(
                publish(r), r.number("flushed_version"), r.number("flushed_paths"), r.number("flushed_bytes"));
    }

    static AbortResult abort(JsonObject r) throws MalformedReplyException {
        return new AbortResult(r.string("view"), r.number("discarded_paths"));
    }

    private static Instant instant(String text) throws MalformedReplyException {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException bad) {
            throw new MalformedReplyException("not an instant: " + text);
        }
    }
}
