package io.txfs.control;

import java.util.Locale;
import java.util.Set;

/** The verbs of {@code .txfs/ctl}, each with the arguments it takes. */
public enum ControlVerb {
    /**
     * {@code trace}: the view records its access trace from now on (read with {@code trace}).
     * {@code mtime_clamp=EPOCH}: a new view's files get modification times no later than EPOCH (seconds;
     * SOURCE_DATE_EPOCH), fixed for its life; an existing view with another clamp is refused.
     * {@code readdir=reverse|shuffle}: the view's listings come in that order (sorted is the default), for
     * the daemon's life. {@code durability=none}: a new view's fsyncs return at once (a scratch build; fixed
     * for its life, shown by {@code views}). {@code inodes=path}: a new view's processes see inode numbers
     * derived from paths, the same in every run (fixed for its life, shown by {@code views}).
     * A view begun (made) by a process that works in a view it entered by {@code begin} is a child of that
     * view: it starts on its state and its publish merges into it (docs/views.md, "Nested views"); the reply
     * then names the {@code parent}. {@code toplevel}: naming an existing view from there that is not the
     * caller's own nor its child is refused (EPERM: the command would work beside the caller's view, not in
     * it). {@code txfs run} always asks so.
     */
    BEGIN(Set.of("view", "isolation", "toplevel", "trace", "mtime_clamp", "readdir", "durability", "inodes")),
    /**
     * {@code merge=bytes}: a file this view and a publish since both changed, in different 64 KiB chunks and
     * nothing else, is merged instead of conflicting (docs/publish-force.md, "Merging byte ranges").
     */
    PUBLISH(Set.of("view", "force", "merge")),
    FLUSH(Set.of()),
    COMMIT(Set.of("view", "force", "merge")),
    /** {@code if_unchanged}: only when the view has no pending change; the reply says {@code removed}. */
    ABORT(Set.of("view", "if_unchanged")),
    /**
     * {@code refresh [view=NAME]}: moves the view onto the newest published state, its pending changes on
     * top (a rebase); refused with EBUSY and the conflicting paths, changing nothing.
     */
    REFRESH(Set.of("view")),
    /** {@code canonical} adds the canonical delta entries and its id; {@code objects=} their hash. */
    STATUS(Set.of("view", "canonical", "objects", "normalize")),
    /**
     * {@code format=text} (default: unified diff) or {@code format=jsonl} (the canonical delta), of a view's
     * pending changes or, with {@code from=S to=S}, between two states of the log (a version number,
     * {@code flushed} or {@code published}) or of a view ({@code cp:NAME}, one of its checkpoints, or
     * {@code current}; with {@code view=} for another's).
     */
    DIFF(Set.of("view", "format", "objects", "from", "to", "normalize")),
    VIEWS(Set.of()),
    /**
     * A tree id: {@code hash [view=V|published|backing] [format=sha1|sha256] [extended [mtimes]] [path=P]}.
     * {@code normalize=RULES} (status, diff, hash, export): files read as the rules make them
     * (docs/reproducibility.md, "Normalized ids"); the reply's {@code normalized_by} names the rules.
     */
    HASH(Set.of("view", "published", "backing", "format", "extended", "mtimes", "path", "normalize")),
    /**
     * The published log: publishes and flushes with their delta ids; {@code wait} waits until every id
     * is computed (else at most 2 s, then the rest show as pending).
     */
    LOG(Set.of("wait")),
    /**
     * {@code export [view=V] format=oci-tar [canonical]}: the reply is the raw layer tar of the view's pending
     * delta, streamed; {@code canonical}: after one JSON line with the delta id.
     */
    EXPORT(Set.of("view", "format", "canonical", "normalize")),
    /**
     * {@code import view=V fd=N}: applies the layer tar the caller holds open as descriptor N (the
     * daemon reads it through /proc/PID/fd/N, only when the caller opened it for reading).
     */
    IMPORT(Set.of("view", "fd")),
    /**
     * Daemon counters for debugging and tests: the FUSE requests received so far, by opcode (mount-wide,
     * all views), which shows what the kernel answered from its caches.
     */
    STATS(Set.of()),
    /**
     * Compares every directory txfs has listed from the backing directory with the disk and takes in
     * what was changed there outside txfs, as one published version (docs/outside-changes.md).
     */
    RESCAN(Set.of()),
    /**
     * A garbage collection now, then the store compacted: replies with the state directory's bytes
     * before and after (docs/storage-format.md, "Garbage collection"). Root, the owner, --flush-group.
     */
    GC(Set.of()),
    /**
     * {@code prune [older_than=SECONDS]}: removes the caller's orphaned views (root: everyone's), those
     * no live process is in, like {@code abort}; with {@code older_than} only views created longer ago.
     */
    PRUNE(Set.of("older_than")),
    /**
     * The long operations running now (flush, gc, export, import, hash of the backing directory): kind,
     * phase, items and bytes done and in total (-1: not known), seconds since they started. Names no
     * path or view, so any user of the mount may ask; the CLI polls it to draw a progress bar.
     */
    PROGRESS(Set.of()),
    /**
     * {@code trace [view=V]}: the view's access trace (docs/reproducibility.md, "Access traces"), each path
     * with what was first done to it, in order; the view's owner or root. {@code begin trace} starts one.
     */
    TRACE(Set.of("view")),
    /**
     * {@code checkpoint name=NAME [view=V]}: names the state of the view's pending delta now, to come back to
     * with {@code rollback} (docs/reproducibility.md, "Checkpoints"). O(changed paths), no file data copied.
     */
    CHECKPOINT(Set.of("view", "name")),
    /**
     * {@code rollback name=NAME [view=V]}: the view's pending delta as it was at that checkpoint; the
     * checkpoints taken after it are dropped.
     */
    ROLLBACK(Set.of("view", "name")),
    /** {@code checkpoints [view=V]}: the view's checkpoints, oldest first. */
    CHECKPOINTS(Set.of("view"));

    private final Set<String> arguments;

    ControlVerb(Set<String> arguments) {
        this.arguments = arguments;
    }

    public boolean takes(String argument) {
        return arguments.contains(argument);
    }

    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    static ControlVerb of(String word) {
        for (ControlVerb v : values()) {
            if (v.word().equals(word)) {
                return v;
            }
        }
        return null;
    }
}
