package io.txfs.client;

import java.util.List;

/**
 * A publish (or the publish of a commit) lost: another view published a change to these paths first
 * (first committer wins). Nothing was published and the view is intact, so the caller decides: abort it,
 * run the step again in a fresh view, or publish with {@link PublishOption#FORCE}.
 *
 * <p>Checked, as every {@link TxfsException}: two builds racing for the same output is an expected outcome
 * of the protocol, not a bug, and a step that publishes should say what it does when it loses.
 */
public final class PublishConflictException extends TxfsException {
    private static final long serialVersionUID = 1L;
    private final String view;
    private final List<String> paths;

    public PublishConflictException(String view, List<String> paths, String message) {
        super("EBUSY", message + ": " + listed(paths));
        this.view = view;
        this.paths = List.copyOf(paths);
    }

    /** The first paths, enough for a message; {@link #paths()} has them all. */
    private static String listed(List<String> paths) {
        int shown = Math.min(paths.size(), 10);
        String first = String.join(", ", paths.subList(0, shown));
        return shown == paths.size() ? first : first + " and " + (paths.size() - shown) + " more";
    }

    /** The view that was not published. */
    public String view() {
        return view;
    }

    /** The conflicting paths, relative to the mount's root (as {@link ViewStatus} gives them). */
    public List<String> paths() {
        return paths;
    }
}
