package io.txfs.fuse.view;

import io.txfs.core.model.Isolation;
import io.txfs.core.tree.View;
import io.txfs.fuse.OpenResult;

/** How the kernel may cache a view's open files. */
final class FileCaching {
    private FileCaching() {}

    /**
     * A read-committed view sees each publish at its next access, so its file content can change under
     * the kernel's cached size and pages between a publish and the invalidations that follow it: such
     * views read and write around the page cache, each read answered whole from one published version.
     * A snapshot view's file content changes only through this kernel inode (its own writes and
     * truncates) or by its own publish, abort or import, each of which invalidates the inodes it changed
     * before it returns (KernelInvalidator): so its pages are kept across opens (FOPEN_KEEP_CACHE), and a
     * file re-read is answered by the page cache.
     *
     * <p>A descriptor open for writing writes (and reads) around the page cache in every view. Through the
     * page cache, the kernel asks for {@code security.capability} before each write whose inode's
     * attributes were refreshed since the last one (fs/fuse clears {@code S_NOSEC} on every refresh), and
     * refreshes them before each read after a write: a writer that stats or reads back between writes, as
     * {@code as} does, paid GETATTR + GETXATTR per write, a third of a build's requests. Direct writes
     * leave the clearing of set-id bits and capabilities to the daemon (HANDLE_KILLPRIV_V2, and
     * {@code Engine.write}); the kernel drops the cached pages a direct write covers, so readers through
     * other descriptors still see it.
     */
    static int openFlags(View v, boolean write) {
        if (v.isolation() == Isolation.READ_COMMITTED) {
            return OpenResult.FOPEN_DIRECT_IO;
        }
        return write ? OpenResult.FOPEN_DIRECT_IO | OpenResult.FOPEN_KEEP_CACHE : OpenResult.FOPEN_KEEP_CACHE;
    }
}
