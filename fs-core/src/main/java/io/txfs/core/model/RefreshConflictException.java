package io.txfs.core.model;

import java.util.List;

/**
 * Refresh refused: paths the view changed were published by others since (the rules of a publish). EBUSY,
 * listing the paths; the view is unchanged, still on its old base.
 */
public final class RefreshConflictException extends PathConflictException {
    public RefreshConflictException(String view, List<String> paths) {
        super("refresh of view " + view, paths);
    }
}
