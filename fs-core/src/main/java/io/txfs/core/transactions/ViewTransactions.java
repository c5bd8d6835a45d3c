package io.txfs.core.transactions;

import io.txfs.core.format.EntryName;
import io.txfs.core.format.Keys;
import io.txfs.core.model.BackingChangedException;
import io.txfs.core.model.FsException;
import io.txfs.core.model.GroupPolicy;
import io.txfs.core.model.Isolation;
import io.txfs.core.model.PublishResult;
import io.txfs.core.outside.OutsideChanges;
import io.txfs.core.store.ColumnFamily;
import io.txfs.core.store.StoreException;
import io.txfs.core.tree.EngineState;
import io.txfs.core.tree.LayeredTree;
import io.txfs.core.tree.PendingCache;
import io.txfs.core.tree.View;
import io.txfs.core.tree.ViewOperation;
import io.txfs.sys.Errno;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one operation of a view as a transaction on its pending delta: under the view's lock (read or
 * write, docs/concurrency.md), after the shared default's group published what it holds when that is due,
 * retried once when a base read found its backing file changed outside txfs, and committed as one batch
 * that the view's {@link PendingCache} then reflects.
 */
public final class ViewTransactions {
    private static final Logger log = LoggerFactory.getLogger(ViewTransactions.class);

    private final EngineState state;
    private final LayeredTree tree;
    private final OutsideChanges outside;
    /** The group commit of the shared default view, if the mount has one (docs/views.md, "Group commit"). */
    private volatile GroupCommit group;

    public ViewTransactions(EngineState state, LayeredTree tree, OutsideChanges outside) {
        this.state = state;
        this.tree = tree;
        this.outside = outside;
    }

    /**
     * Starts the group commit of {@code v} (the shared default view), publishing through {@code publish};
     * what {@code v} still holds from before (a daemon killed before its group was published) goes now.
     */
    public GroupCommit startGroup(View v, GroupPolicy policy, Function<View, PublishResult> publish) {
        requireWritable(v);
        if (group() != null) throw new IllegalStateException("the engine has a group commit already");
        GroupCommit g = new GroupCommit(publish, v, policy);
        group(g);
        if (v.changes != 0) log.info("publishing the operations view {} held from before the restart", v.name);
        g.publishPending();
        return g;
    }

    public GroupCommit group() {
        return group;
    }

    /** Installs the group commit (one per engine). */
    public void group(GroupCommit g) {
        if (group != null) throw new IllegalStateException("the engine has a group commit already");
        group = g;
    }

    /**
     * Someone other than the group's view is about to read or change the published state
     * ({@code reader}: the view that reads, or null): the operations the group holds were returned to
     * their callers, so they are published first. Skipped on a thread that holds an engine lock
     * (an engine-internal read): publishing takes the publish lock first, then the view's.
     */
    public void observeGroup(View reader) {
        GroupCommit g = group;
        if (g == null || reader == g.view() || g.view().changes == 0) return;
        if (state.publishLock.isHeldByCurrentThread() || holdsViewLock()) return;
        g.publishPending();
    }

    /**
     * The group's view holds operations that returned to their callers and are everyone's as soon as
     * they did: they are never dropped, and the view itself is the mount's, not anyone's to remove.
     */
    void refuseGroupView(View v) {
        GroupCommit g = group;
        if (g != null && g.view() == v) {
            throw new FsException(
                    Errno.EINVAL,
                    "view " + v.name + " is the mount's shared default: its changes are"
                            + " published as they are made, there is nothing to abort");
        }
    }

    private boolean holdsViewLock() {
        if (state.published.lock.getReadHoldCount() > 0 || state.published.lock.isWriteLockedByCurrentThread())
            return true;
        for (View o : state.views.values()) {
            if (o.lock.getReadHoldCount() > 0 || o.lock.isWriteLockedByCurrentThread()) return true;
        }
        return false;
    }

    /**
     * Runs f under the view's read lock. A base read that finds its backing file changed outside txfs
     * takes the change in (outside the lock: it takes the publish lock) and runs f once more.
     */
    <T> T read(View v, Function<ViewOperation, T> f) {
        outside.requireBacking();
        try {
            return readOnce(v, f);
        } catch (BackingChangedException changed) {
            if (v.historical) {
                throw new FsException(
                        Errno.ESTALE, "version " + v.snapshot + " read a backing file changed outside txfs since");
            }
            outside.nodeChanged(changed.node);
            return readOnce(v, f);
        }
    }

    /** read without the outside-change handling: for status and diffs, which must work while BACKING is gone. */
    <T> T readOnce(View v, Function<ViewOperation, T> f) {
        if (v == state.published || v.isolation == Isolation.READ_COMMITTED) observeGroup(v);
        v.lock.readLock().lock();
        try {
            state.checkOpen();
            return f.apply(tree.readCtx(v));
        } catch (StoreException e) {
            throw EngineState.storeError(e);
        } catch (UncheckedIOException e) {
            throw new FsException(Errno.EIO, e.getMessage(), e);
        } finally {
            v.lock.readLock().unlock();
        }
    }

    public <T> T mutate(View v, Function<ViewOperation, T> f) {
        outside.requireBacking();
        try {
            return mutateOnce(v, f);
        } catch (BackingChangedException changed) {
            outside.nodeChanged(changed.node); // nothing of the failed attempt was committed
            return mutateOnce(v, f);
        }
    }

    private <T> T mutateOnce(View v, Function<ViewOperation, T> f) {
        requireWritable(v);
        if (v.isolation == Isolation.READ_COMMITTED) observeGroup(v);
        v.lock.writeLock().lock();
        try {
            state.checkOpen();
            if (v.discarded) throw new FsException(Errno.ENOENT, "view " + v.name + " was discarded");
            ViewOperation c = tree.readCtx(v);
            T result = f.apply(c);
            commit(c);
            return result;
        } catch (StoreException e) {
            throw EngineState.storeError(e);
        } catch (UncheckedIOException e) {
            throw new FsException(Errno.EIO, e.getMessage(), e);
        } finally {
            v.lock.writeLock().unlock();
        }
    }

    private void commit(ViewOperation c) {
        Map<Long, byte[]> encoded = new HashMap<>();
        for (var e : c.nodes.entrySet()) {
            byte[] b = e.getValue().encode();
            encoded.put(e.getKey(), b);
            c.batch.put(ColumnFamily.P_NODE, Keys.pNode(c.view.id, e.getKey()), b);
        }
        for (var e : c.dents.entrySet()) {
            c.batch.put(
                    ColumnFamily.P_DENT,
                    Keys.pDent(c.view.id, e.getKey().parent(), e.getKey().name()),
                    e.getValue().encode());
        }
        long before = c.view.pendingBytes;
        if (c.bytes != 0) {
            // never below 0: records written before pendingBytes counted stored bytes may hold less
            c.view.pendingBytes = Math.max(0, before + c.bytes);
            c.batch.put(ColumnFamily.VIEWS, c.view.name.getBytes(StandardCharsets.UTF_8), c.view.encode());
        }
        try {
            state.store.write(c.batch, false);
        } catch (RuntimeException e) {
            c.view.pendingBytes = before;
            throw e;
        }
        for (Runnable r : c.afterCommit) r.run();
        if (!c.batch.isEmpty()) c.view.changes++;
        if (c.dirShapeChanged) state.dirLinks.changed();
        // Only after the batch is in: a failed write leaves the cache describing the store as it is.
        PendingCache pc = c.view.pending;
        if (pc == null) return;
        for (var e : encoded.entrySet()) pc.putNode(e.getKey(), e.getValue());
        for (var e : c.dents.entrySet())
            pc.putDent(new EntryName(e.getKey().parent(), e.getKey().name().clone()), e.getValue());
        pc.addKeys(c.keys);
    }

    /**
     * Runs f on a view whose pending delta changes as a whole (abort, discard, checkpoint, rollback), holding
     * the publish lock and the view's write lock (in that order).
     */
    <T> T changingView(View v, Supplier<T> f) {
        requireWritable(v);
        refuseGroupView(v);
        state.publishLock.lock();
        v.lock.writeLock().lock();
        try {
            state.checkOpen();
            return f.get();
        } catch (StoreException e) {
            throw EngineState.storeError(e);
        } finally {
            v.lock.writeLock().unlock();
            state.publishLock.unlock();
        }
    }

    public static void requireWritable(View v) {
        if (v.id == 0) throw new FsException(Errno.EROFS, "the published view is read-only");
    }
}
