package io.txfs.fuse.view;

import io.txfs.core.ChangeSet;
import io.txfs.core.EngineListener;
import io.txfs.fuse.Names;
import io.txfs.fuse.Notifier;
import java.io.IOException;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
final class KernelInvalidator implements EngineListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KernelInvalidator.class);
    private static final long DELIVERY_WAIT_SECONDS = 10;

    private final NodeTable<ViewKey> nodes;
    private final ExecutorService sender = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "txfs-invalidate");
        t.setDaemon(true);
        return t;
    });
    private volatile Notifier notifier;

    KernelInvalidator(NodeTable<ViewKey> nodes) {
        this.nodes = nodes;
    }

    /** Set once the mount exists; until then the kernel has cached nothing. */
    void attach(Notifier n) {
        this.notifier = n;
    }

    @Override
    public void visibleChange(String view, ChangeSet changes) {
        invalidate(view, changes);
    }

    /** From a reader thread (an outside change found while serving a request): queued, never waited for. */
    @Override
    public void visibleChangeLater(String view, ChangeSet changes) {
        invalidateLater(view, changes);
    }

    /** Invalidates {@code changes} as seen by {@code view}, and waits until the kernel took them. */
    void invalidate(String view, ChangeSet changes) {
        Notifier n = notifier;
        if (n == null || changes == null || changes.isEmpty()) {
            return;
        }
        Future<?> done = sender.submit(() -> send(n, view, changes));
        try {
            done.get(DELIVERY_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            log.warn("kernel invalidations for view {} still pending after {} s; continuing", view, DELIVERY_WAIT_SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.warn("kernel invalidations for view {} failed", view, e);
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
        } catch (java.util.concurrent.RejectedExecutionException closing) {
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
                sent += notify(() -> n.invalEntry(parent.get(), Names.decode(e.name())));
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
