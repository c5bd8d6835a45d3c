package io.txfs.core.inspect;

import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/**
 * A writable tree that a layer is applied to: a view in the engine, a real directory in tests.
 * Every mutation takes the full path; parents exist (the importer checks that before applying).
 * Nothing is followed: a symlink at any path is replaced, never written through.
 */
public interface TreeSink {
    /** The kind of the entry at {@code path} (lstat), empty when absent. */
    Optional<EntryKind> kind(TreePath path) throws IOException;

    /** Removes the entry and, for a directory, everything below it. Absent is not an error. */
    void delete(TreePath path) throws IOException;

    /** Removes everything inside directory {@code dir}, keeping the directory (an opaque whiteout). */
    void clearDirectory(TreePath dir) throws IOException;

    /**
     * Creates a directory, or keeps an existing one with its entries (replacing any non-directory);
     * either way it ends up with exactly this metadata: xattrs not in {@code meta} are removed.
     */
    void makeDirectory(TreePath path, EntryMetadata meta) throws IOException;

    /** Replaces whatever is at {@code path} with a new regular file (never writes through a hard link). */
    void writeFile(TreePath path, EntryMetadata meta, InputStream content, long size) throws IOException;

    void makeSymlink(TreePath path, byte[] target, EntryMetadata meta) throws IOException;

    /** Replaces whatever is at {@code path} with a hard link to the regular file at {@code existing}. */
    void makeHardLink(TreePath path, TreePath existing) throws IOException;

    /** A fifo, char or block device. */
    void makeNode(TreePath path, EntryKind kind, long rdev, EntryMetadata meta) throws IOException;

    /** Sets a directory's mtime after its children were written (which changed it). */
    void setDirectoryMtime(TreePath path, long mtimeNanos) throws IOException;
}
