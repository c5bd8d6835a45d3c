package io.txfs.core.model;

import java.util.List;

/**
 * What a check of the backing directory took in (docs/outside-changes.md): the version written (0 if
 * nothing had changed), and the paths added, changed and removed outside txfs. {@code overridden} are
 * paths where the outside change replaced a published change that was not flushed yet.
 */
public record RescanResult(
        long version,
        long directoriesChecked,
        List<String> added,
        List<String> changed,
        List<String> removed,
        List<String> overridden) {
    public boolean tookIn() {
        return version != 0;
    }
}
