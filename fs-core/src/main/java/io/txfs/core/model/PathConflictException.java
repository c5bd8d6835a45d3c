package io.txfs.core.model;

import io.txfs.sys.Errno;
import java.util.List;

/**
 * EBUSY, with the paths where a view's pending changes meet changes published after their base (first
 * committer wins): what a publish or a refresh is refused with. The view is intact.
 */
public abstract class PathConflictException extends FsException {
    private final List<String> paths;

    PathConflictException(String what, List<String> paths) {
        super(Errno.EBUSY, what + " conflicts on " + paths);
        this.paths = List.copyOf(paths);
    }

    public List<String> paths() {
        return paths;
    }
}
