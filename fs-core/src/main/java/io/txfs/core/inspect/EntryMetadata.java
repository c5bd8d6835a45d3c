package io.txfs.core.inspect;

import java.util.Collections;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Metadata a sink applies to a new entry.
 *
 * @param mtimeNanos null to leave the time the sink gives it
 * @param uid        null to leave the owner the sink gives it (likewise gid)
 */
public record EntryMetadata(int permissions, Long uid, Long gid, Long mtimeNanos, SortedMap<Name, byte[]> xattrs) {
    public EntryMetadata {
        Objects.requireNonNull(xattrs, "xattrs");
        xattrs = Collections.unmodifiableSortedMap(new TreeMap<>(xattrs));
    }
}
