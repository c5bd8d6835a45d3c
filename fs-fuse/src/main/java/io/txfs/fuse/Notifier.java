package io.txfs.fuse;

import java.io.IOException;

/**
 * Tells the kernel to drop cached data, usable from any thread. Do not call it from inside a request
 * handler for the same directory (the kernel may hold that directory's lock while it waits for the
 * reply: a deadlock). Each method returns false when the kernel did not know the node or name
 * (ENOENT), which is not an error.
 */
public interface Notifier {
    /** Drop cached attributes of {@code node} and its page cache from {@code offset} for {@code length} bytes (length 0 = to the end; offset -1 = attributes only). */
    boolean invalInode(long node, long offset, long length) throws IOException;

    /** Drop the cached dentry {@code name} in {@code parent}. */
    boolean invalEntry(long parent, byte[] name) throws IOException;

    /** Like invalEntry, and also tell inotify watchers that {@code child} was deleted. */
    boolean delete(long parent, long child, byte[] name) throws IOException;

    /**
     * Makes every dentry the kernel holds now invalid at its next revalidation (FUSE_NOTIFY_INC_EPOCH,
     * Linux 6.16): the next walk through each asks the filesystem again. Unlike the others it takes no
     * lock in the kernel (it only increments a counter), so it may be sent from inside a request handler,
     * before the reply. Throws (EINVAL) where the kernel does not know it.
     */
    boolean expireAllEntries() throws IOException;
}
