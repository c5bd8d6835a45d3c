package io.txfs.core.inspect;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;

/**
 * A read-only filesystem tree: the backing directory, the published state or a view. Everything is
 * by raw name bytes and with lstat semantics (symlinks are never followed). Paths that do not exist
 * raise {@link java.nio.file.NoSuchFileException}.
 */
public interface TreeSource {
    /** The names in directory {@code dir}, sorted by unsigned bytes, without "." and "..". */
    List<Name> list(TreePath dir) throws IOException;

    EntryStat stat(TreePath path) throws IOException;

    /** Extended attributes by name bytes (sorted by unsigned bytes); empty when there are none. */
    SortedMap<Name, byte[]> xattrs(TreePath path) throws IOException;

    /** The content of a regular file. The caller closes it. */
    InputStream open(TreePath path) throws IOException;

    /** The raw target bytes of a symlink, exactly as readlink returns them. */
    byte[] readLink(TreePath path) throws IOException;

    /**
     * A token whose equality (equals/hashCode) across calls, and across sources that share a store,
     * guarantees the entry at {@code path} is unchanged: for a directory, the whole subtree below
     * it (names, contents, metadata); for any other entry, its content and metadata. Empty when the
     * source cannot say; hashers and differs then read the entry. The engine answers from its
     * per-node versions so that re-hashing after one change reads only the changed path's ancestors.
     */
    default Optional<Object> version(TreePath path) throws IOException {
        return Optional.empty();
    }

    /** This source seen from directory {@code dir}: its paths are relative to it. */
    default TreeSource subtree(TreePath dir) {
        return dir.isRoot() ? this : new SubtreeSource(this, dir);
    }
}
