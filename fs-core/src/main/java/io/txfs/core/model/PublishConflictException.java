package io.txfs.core.model;

import java.util.List;

/** Publish refused (first committer wins): EBUSY, listing the conflicting paths. The view is intact. */
public final class PublishConflictException extends PathConflictException {
    public PublishConflictException(String view, List<String> paths) {
        super("publish of view " + view, paths);
    }
}
