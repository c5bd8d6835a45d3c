package io.txfs.client;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;

/**
 * A txfs mount, driven through its control file {@code MOUNT/.txfs/ctl} (docs/client.md). Each method is one
 * command (or one child process) of its own, so a mount may be shared by threads.
 *
 * <p>This JVM never enters a view itself: {@link #begin} and {@link #run} start a child that does, so one
 * build runs each step in a view of its own and decides about each afterwards. Commands that name a view
 * ({@link #status}, {@link #publish}, ...) need the view's owner's uid or root.
 *
 * <p>Failures: {@link TxfsException} carries the errno of a refused command ({@code ENOENT} for no such view,
 * {@code EPERM}, {@code EINVAL}, {@code EIO}); a lost publish is a {@link PublishConflictException} with the
 * paths; {@link MalformedReplyException} a reply this client cannot read; any other {@link IOException} the
 * control file itself failing.
 */
public final class TxfsMount {
    private final Path mountpoint;
    private final ControlFile control;
    private final ViewEntry entry;

    private TxfsMount(Path mountpoint) {
        this.mountpoint = mountpoint;
        this.control = new ControlFile(mountpoint.resolve(".txfs").resolve("ctl"));
        this.entry = new ViewEntry(control);
    }

    /** The mount at {@code mountpoint}; {@link NotATxfsMountException} when it has no control file. */
    public static TxfsMount open(Path mountpoint) throws NotATxfsMountException {
        Path mnt = mountpoint.toAbsolutePath().normalize();
        if (!Files.exists(mnt.resolve(".txfs").resolve("ctl"))) {
            throw new NotATxfsMountException(mnt);
        }
        return new TxfsMount(mnt);
    }

    public Path mountpoint() {
        return mountpoint;
    }

    /** Every view the caller owns (root: every view), with its state. */
    public List<ViewInfo> views() throws IOException {
        return Replies.views(control.send("views"));
    }

    /**
     * Makes the view if it does not exist (with the spec's options), or checks that an existing one has them
     * (EINVAL when its fixed options differ). Nothing runs in it until {@link #run}. A named view stays until
     * it is aborted: a publish or commit leaves it in place, empty, on the state it published.
     */
    public BeginResult begin(ViewSpec spec) throws IOException {
        return Replies.begin(entry.run(spec.beginLine(), Path.of("/"), List.of(), Map.of(), false)
                .begun());
    }

    /**
     * Runs the step's command in its view, made with the daemon's defaults if it does not exist (begin it
     * first for others), and waits for it. The command and everything it starts work in the view; what they
     * write is pending there when this returns, whatever the exit status.
     */
    public StepResult run(Step step) throws IOException {
        // entering an existing view names no options: it keeps those fixed at its start
        String line = ViewSpec.named(step.view()).beginLine();
        Path dir = step.workingDirectory().orElse(mountpoint);
        ViewEntry.Outcome o = entry.run(line, dir, step.command(), step.environment(), step.inheritsIo());
        return new StepResult(step.view(), o.exitCode(), o.stdout(), o.stderr());
    }

    /** {@link #run(Step)} of {@code command} in {@code view} from {@code workingDirectory}, output captured. */
    public StepResult run(String view, List<String> command, Path workingDirectory) throws IOException {
        return run(Step.of(view, command).workingDirectory(workingDirectory));
    }

    /** Makes the view's pending changes the newest published version, or throws the conflict. */
    public PublishResult publish(String view, PublishOption... options) throws IOException {
        return Replies.publish(control.send("publish view=" + ViewNames.require(view) + words(options)));
    }

    /** Publish, then flush: the published state made durable in the backing directory. */
    public CommitResult commit(String view, PublishOption... options) throws IOException {
        return Replies.commit(control.send("commit view=" + ViewNames.require(view) + words(options)));
    }

    /** Removes the view with its pending changes. */
    public AbortResult abort(String view) throws IOException {
        return Replies.abort(control.send("abort view=" + ViewNames.require(view)));
    }

    /** The view's pending changes, path by path, and the versions it and the mount stand at. */
    public ViewStatus status(String view) throws IOException {
        return Replies.status(control.send("status view=" + ViewNames.require(view)));
    }

    /** The view's pending changes as a canonical delta, with its delta id. */
    public Diff diff(String view) throws IOException {
        return Replies.diff(control.send("diff format=jsonl view=" + ViewNames.require(view)));
    }

    /** The view's pending changes as a unified diff (binary files summarised), as {@code txfs diff} prints it. */
    public String diffText(String view) throws IOException {
        return control.send("diff view=" + ViewNames.require(view)).string("diff");
    }

    private static String words(PublishOption... options) {
        EnumSet<PublishOption> set =
                options.length == 0 ? EnumSet.noneOf(PublishOption.class) : EnumSet.of(options[0], options);
        if (set.containsAll(EnumSet.allOf(PublishOption.class))) {
            // force already decides every path; merging some first would make its report lie
            throw new IllegalArgumentException("FORCE and MERGE_BYTES do not go together: choose one");
        }
        StringBuilder b = new StringBuilder();
        set.forEach(o -> b.append(' ').append(o.word()));
        return b.toString();
    }

    @Override
    public String toString() {
        return "txfs mount at " + mountpoint;
    }
}
