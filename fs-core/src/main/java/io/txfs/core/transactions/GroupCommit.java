package io.txfs.core.transactions;

import io.txfs.core.model.FsException;
import io.txfs.core.model.GroupPolicy;
import io.txfs.core.model.PublishResult;
import io.txfs.core.tree.View;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit of one view whose changes are everyone's (the mount's {@code --default-view shared}):
 * its operations collect in the view's pending delta, each one WAL-durable when it returns like every
 * view's, and are published together (forced: last writer wins, as each operation on its own was)
 * when the group's window has passed, when it reaches its size, or as soon as anyone else looks at
 * the published state (the engine asks {@link #publishPending} before a read of a read-committed view
 * or of the published state, a view's begin, refresh or publish, a flush, and the log). So history
 * grows by groups, not by operations, while nobody outside the view can see that the operations waited
 * (docs/views.md, "Group commit"; docs/recovery.md says what a crash leaves).
 */
public final class GroupCommit implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GroupCommit.class);

    /** Publishes the view if it holds changes (the engine's publish, under its publish lock). */
    private final Function<View, PublishResult> publishIfChanged;

    private final View view;
    private final GroupPolicy policy;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "txfs-group-commit");
        t.setDaemon(true);
        return t;
    });
    /** Operations since the last publish began; guarded by this. */
    private int ops;
    /** The publish the window asks for; guarded by this. */
    private ScheduledFuture<?> due;

    private final AtomicLong groups = new AtomicLong();
    private final AtomicLong operations = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private volatile String lastError;
    private volatile boolean closed;

    public GroupCommit(Function<View, PublishResult> publishIfChanged, View view, GroupPolicy policy) {
        this.publishIfChanged = publishIfChanged;
        this.view = view;
        this.policy = policy;
    }

    View view() {
        return view;
    }

    public GroupPolicy policy() {
        return policy;
    }

    /** An operation of the view has returned: it joins the group, which is published when full or due. */
    public void operationDone() {
        operations.incrementAndGet();
        boolean full;
        synchronized (this) {
            ops++;
            full = ops >= policy.maxOps();
            if (!full) scheduleLocked();
        }
        if (full) publishPending();
    }

    private void scheduleLocked() {
        if (due != null || closed) return;
        try {
            due = timer.schedule(this::publishPending, policy.window().toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closing) {
            // the engine is closing: close() publishes what is left
        }
    }

    /**
     * Publishes what the view holds, if anything: the result, or null when it held nothing or the
     * publish failed. A failed group stays pending in the view (still durable, still read by the view's
     * processes), is counted in {@link #status} and logged, and is tried again after the window.
     */
    public PublishResult publishPending() {
        synchronized (this) {
            if (due != null) {
                due.cancel(false);
                due = null;
            }
            ops = 0;
        }
        PublishResult r;
        try {
            r = publishIfChanged.apply(view);
        } catch (FsException e) {
            failures.incrementAndGet();
            lastError = e.getMessage();
            log.warn(
                    "group commit of view {} not published, kept pending and retried: {}", view.name(), e.getMessage());
            synchronized (this) {
                scheduleLocked();
            }
            return null;
        }
        if (r == null) return null;
        groups.incrementAndGet();
        lastError = null;
        return r;
    }

    /** Counters since the engine opened, for status. */
    public Status status() {
        int waiting;
        synchronized (this) {
            waiting = ops;
        }
        return new Status(policy, operations.get(), groups.get(), waiting, failures.get(), lastError);
    }

    /**
     * @param operations operations of the view since the engine opened
     * @param groups versions they were published as
     * @param waiting operations in the group not published yet
     * @param failures publishes of a group that failed (each was kept and retried)
     * @param lastError why the last publish failed, if the one after it has not succeeded yet
     */
    public record Status(
            GroupPolicy policy, long operations, long groups, int waiting, long failures, String lastError) {}

    /** Publishes what is left (a failure leaves it pending: the next open publishes it) and stops the timer. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        timer.shutdownNow();
        publishPending();
    }
}
