package io.txfs.core;

import java.util.List;

/** Publish refused (first committer wins): EBUSY, listing the conflicting paths. The view is intact. */
public final class PublishConflictException extends FsException {
    private final List<String> paths;

    public PublishConflictException(String view, List<String> paths) {
        super(Errno.EBUSY, "publish of view " + view + " conflicts on " + paths);
        this.paths = List.copyOf(paths);
    }

    public List<String> paths() {
        return paths;
    }
}
