package io.txfs.fuse.view;

import io.txfs.core.Engine;
import io.txfs.core.model.ChangeSet;
import io.txfs.core.model.EngineListener;
import io.txfs.fuse.Notifier;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the kernel to drop exactly what a publish, refresh or abort changed in a view: the inodes'
 * attributes and pages, and the directory entries, of that view's own node ids. Nothing else is ever
 * stale, because every node id belongs to one view and that view's own changes pass through the kernel.
 *
 * <p>Notifications are written from one dedicated thread: a notification can wait for a directory lock
 * held by a process whose request needs a reader thread, so a reader thread must never write one. The
 * caller waits (bounded) for them to be delivered, so a publish is visible when its control write returns.
 */
public final class KernelInvalidator implements EngineListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KernelInvalidator.class);
    private static final long DELIVERY_WAIT_SECONDS = 10;

    private final NodeTable<ViewKey> nodes;
    private final ExecutorService sender = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "txfs-invalidate");
        t.setDaemon(true);
        return t;
    });
    private volatile Notifier notifier;
    /**
     * Views that have not begun (a session that only read) and read the published state through node ids
     * of their own: what changes the published state changes what they see, as for a read-committed view.
     */
    private final Set<String> readersOfPublished = ConcurrentHashMap.newKeySet();
    /** Whether the kernel takes FUSE_NOTIFY_INC_EPOCH (Linux 6.16 and later); probed at attach. */
    private volatile boolean canExpireAll;

    KernelInvalidator(NodeTable<ViewKey> nodes) {
        this.nodes = nodes;
    }

    /**
     * Set once the mount exists; until then the kernel has cached nothing. Probes whether the kernel can
     * expire all entries at once (harmless now: nothing is cached yet).
     */
    void attach(Notifier n) {
        this.notifier = n;
        try {
            canExpireAll = n.expireAllEntries();
        } catch (IOException e) {
            canExpireAll = false;
            log.warn(
                    "the kernel does not take FUSE_NOTIFY_INC_EPOCH ({}): a rename from a directory into the"
                            + " shared root fails with EXDEV (docs/kernel-caches.md)",
                    e.getMessage());
        }
    }

    /** Whether {@link #expireAllEntriesNow} works on this kernel. */
    boolean canExpireAllEntries() {
        return canExpireAll;
    }

    /**
     * Makes every dentry the kernel holds invalid at its next use, before the caller's reply: the only
     * notification a reader thread may send, because the kernel takes no lock for it (it increments the
     * connection's epoch, which every revalidation compares). See {@code ViewFilesystem.rename}.
     */
    void expireAllEntriesNow() {
        Notifier n = notifier;
        if (n == null) {
            return;
        }
        try {
            n.expireAllEntries();
        } catch (IOException e) {
            log.error(
                    "could not expire the kernel's entries after a rename into the shared root: another view"
                            + " may see the renamed entry until its timeout",
                    e);
        }
    }

    /**
     * {@code view} has not begun and reads the published state: it is told of every change to it from now on.
     * Returns whether it is new to the list.
     */
    boolean followPublished(String view) {
        return readersOfPublished.add(view);
    }

    /** {@code view} began (it is told of publishes as a view of its own) or ended. */
    void unfollowPublished(String view) {
        readersOfPublished.remove(view);
    }

    /** Forgets the followers {@code gone} says no process reads through any more. */
    void unfollowPublishedIf(Predicate<String> gone) {
        readersOfPublished.removeIf(gone);
    }

    @Override
    public void visibleChange(String view, ChangeSet changes) {
        if (!Engine.PUBLISHED_VIEW.equals(view)) {
            invalidate(view, changes);
            return;
        }
        // one wait for all of them: a sender stuck on one directory lock must not cost the wait once per follower
        List<String> told = new ArrayList<>();
        told.add(view);
        told.addAll(readersOfPublished);
        invalidate(told, changes);
    }

    /** From a reader thread (an outside change found while serving a request): queued, never waited for. */
    @Override
    public void visibleChangeLater(String view, ChangeSet changes) {
        invalidateLater(view, changes);
        if (Engine.PUBLISHED_VIEW.equals(view)) {
            readersOfPublished.forEach(r -> invalidateLater(r, changes));
        }
    }

    /** Invalidates {@code changes} as seen by {@code view}, and waits until the kernel took them. */
    public void invalidate(String view, ChangeSet changes) {
        invalidate(List.of(view), changes);
    }

    private void invalidate(List<String> views, ChangeSet changes) {
        Notifier n = notifier;
        if (n == null || changes == null || changes.isEmpty()) {
            return;
        }
        Future<?> done;
        try {
            done = sender.submit(() -> views.forEach(view -> send(n, view, changes)));
        } catch (RejectedExecutionException closing) {
            return; // the mount is ending: nothing is cached any more
        }
        try {
            done.get(DELIVERY_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            log.warn(
                    "kernel invalidations for views {} still pending after {} s; continuing",
                    views,
                    DELIVERY_WAIT_SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.warn("kernel invalidations for views {} failed", views, e);
        }
    }

    /**
     * Queues invalidations without waiting for them: for a reader thread, which must not wait on a
     * notification (see the class comment). The kernel may serve the old state until they are sent.
     */
    void invalidateLater(String view, ChangeSet changes) {
        Notifier n = notifier;
        if (n == null || changes == null || changes.isEmpty()) {
            return;
        }
        try {
            sender.execute(() -> send(n, view, changes));
        } catch (RejectedExecutionException closing) {
            // the mount is ending: nothing is cached any more
        }
    }

    private void send(Notifier n, String view, ChangeSet changes) {
        int sent = 0;
        Set<Long> inodes = new LinkedHashSet<>(changes.inodes());
        for (ChangeSet.Entry e : changes.entries()) {
            // entries of the shared root are never cached (entry timeout 0): only the view root's own node matters
            Optional<Long> parent = nodes.idOf(new ViewKey(view, e.parent()));
            if (parent.isPresent()) {
                sent += notify(() -> n.invalEntry(parent.get(), e.name()));
                // The kernel drops a cached listing (FOPEN_CACHE_DIR) on an entry invalidation only when
                // it has a dentry for that name; a name new to this view has none, so the directory's
                // pages (the listing) and attributes are invalidated as well.
                inodes.add(e.parent());
            }
        }
        for (long ino : inodes) {
            Optional<Long> id = nodes.idOf(new ViewKey(view, ino));
            if (id.isPresent()) {
                sent += notify(() -> n.invalInode(id.get(), 0, 0));
            }
        }
        if (sent > 0) {
            log.debug("view {}: {} kernel invalidations", view, sent);
        }
    }

    private interface Call {
        boolean run() throws IOException;
    }

    private static int notify(Call c) {
        try {
            return c.run() ? 1 : 0;
        } catch (IOException e) {
            log.warn("kernel invalidation failed: {}", e.getMessage());
            return 0;
        }
    }

    @Override
    public void close() {
        sender.shutdownNow();
    }
}
