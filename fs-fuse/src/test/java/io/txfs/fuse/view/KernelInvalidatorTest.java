package io.txfs.fuse.view;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.txfs.core.Engine;
import io.txfs.core.model.ChangeSet;
import io.txfs.fuse.FuseErrnoException;
import io.txfs.fuse.Notifier;
import io.txfs.sys.Errno;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Which notifications a change set becomes: only the view's own known nodes, and the parents of changed entries. */
final class KernelInvalidatorTest {
    /** Records the notifications in the order they were sent. */
    private static final class Recorder implements Notifier {
        final List<String> sent = new ArrayList<>();

        @Override
        public synchronized boolean invalInode(long node, long offset, long length) {
            sent.add("inode " + node + " " + offset + " " + length);
            return true;
        }

        @Override
        public synchronized boolean invalEntry(long parent, byte[] name) {
            sent.add("entry " + parent + " " + new String(name, StandardCharsets.UTF_8));
            return true;
        }

        @Override
        public synchronized boolean delete(long parent, long child, byte[] name) {
            sent.add("delete " + parent + " " + child + " " + new String(name, StandardCharsets.UTF_8));
            return true;
        }

        @Override
        public synchronized boolean expireAllEntries() {
            sent.add("epoch");
            return true;
        }
    }

    private static ChangeSet.Entry entry(long parent, String name) {
        return new ChangeSet.Entry(parent, name.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aChangedEntryAlsoInvalidatesItsDirectorysListingAndOnlyTheViewsOwnNodes() {
        NodeTable<ViewKey> nodes = new NodeTable<>(16);
        long dir = nodes.acquire(new ViewKey("v", 7)).id();
        long file = nodes.acquire(new ViewKey("v", 9)).id();
        nodes.acquire(new ViewKey("other", 7));
        Recorder r = new Recorder();
        try (KernelInvalidator inv = new KernelInvalidator(nodes)) {
            inv.attach(r);
            assertEquals(List.of("epoch"), r.sent, "attach probes whether the kernel can expire all entries");
            r.sent.clear();
            // a name new to the view: the kernel has no dentry for it, so only the directory's own
            // invalidation drops a cached listing
            inv.invalidate("v", new ChangeSet(Set.of(9L, 12L), Set.of(entry(7, "new.txt"), entry(8, "unknown-dir"))));
        }
        List<String> sent = new ArrayList<>(r.sent);
        assertEquals(List.of("entry " + dir + " new.txt"), sent.subList(0, 1));
        assertEquals(
                Set.of("inode " + dir + " 0 0", "inode " + file + " 0 0"), Set.copyOf(sent.subList(1, sent.size())));
        assertEquals(3, sent.size(), "nothing for nodes the kernel does not know in this view: " + sent);
    }

    /**
     * A session that has not begun reads the published state through node ids of its own: a change to the
     * published state reaches them while it follows, and no longer once it began (or its session ended).
     */
    @Test
    void aChangeToThePublishedStateReachesTheNodesOfSessionsThatHaveNotBegun() {
        NodeTable<ViewKey> nodes = new NodeTable<>(16);
        long reader = nodes.acquire(new ViewKey("session-5", 9)).id();
        long published = nodes.acquire(new ViewKey(Engine.PUBLISHED_VIEW, 9)).id();
        Recorder r = new Recorder();
        try (KernelInvalidator inv = new KernelInvalidator(nodes)) {
            inv.attach(r);
            r.sent.clear();
            assertEquals(true, inv.followPublished("session-5"));
            assertEquals(false, inv.followPublished("session-5"), "already following");
            inv.visibleChange(Engine.PUBLISHED_VIEW, new ChangeSet(Set.of(9L), Set.of()));
            assertEquals(Set.of("inode " + published + " 0 0", "inode " + reader + " 0 0"), Set.copyOf(r.sent));
            r.sent.clear();
            inv.visibleChange("other", new ChangeSet(Set.of(9L), Set.of()));
            assertEquals(List.of(), r.sent, "another view's change is not the published state's");
            inv.unfollowPublished("session-5");
            inv.visibleChange(Engine.PUBLISHED_VIEW, new ChangeSet(Set.of(9L), Set.of()));
            assertEquals(
                    List.of("inode " + published + " 0 0"),
                    r.sent,
                    "a session that began is told as a view of its own");
        }
    }

    @Test
    void aKernelWithoutTheEpochNotificationIsRememberedAsSuch() {
        Recorder r = new Recorder();
        Notifier old = new Notifier() {
            @Override
            public boolean invalInode(long node, long offset, long length) {
                return r.invalInode(node, offset, length);
            }

            @Override
            public boolean invalEntry(long parent, byte[] name) {
                return r.invalEntry(parent, name);
            }

            @Override
            public boolean delete(long parent, long child, byte[] name) {
                return r.delete(parent, child, name);
            }

            @Override
            public boolean expireAllEntries() throws IOException {
                throw new FuseErrnoException(Errno.EINVAL, "notification 8 refused by the kernel");
            }
        };
        try (KernelInvalidator inv = new KernelInvalidator(new NodeTable<>(16))) {
            inv.attach(old);
            assertEquals(false, inv.canExpireAllEntries(), "a kernel before 6.16 refuses FUSE_NOTIFY_INC_EPOCH");
        }
        try (KernelInvalidator inv = new KernelInvalidator(new NodeTable<>(16))) {
            inv.attach(r);
            assertEquals(true, inv.canExpireAllEntries());
            inv.expireAllEntriesNow();
            assertEquals(List.of("epoch", "epoch"), r.sent, "the probe, then the expiry itself, sent at once");
        }
    }

    @Test
    void invalidateLaterSendsWithoutWaitingAndInOrder() throws Exception {
        NodeTable<ViewKey> nodes = new NodeTable<>(16);
        long root = nodes.acquire(new ViewKey("v", 1)).id();
        Recorder r = new Recorder();
        CountDownLatch release = new CountDownLatch(1);
        Notifier blocking = new Notifier() {
            @Override
            public boolean invalInode(long node, long offset, long length) throws IOException {
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return r.invalInode(node, offset, length);
            }

            @Override
            public boolean invalEntry(long parent, byte[] name) {
                return r.invalEntry(parent, name);
            }

            @Override
            public boolean delete(long parent, long child, byte[] name) {
                return r.delete(parent, child, name);
            }

            @Override
            public boolean expireAllEntries() {
                return r.expireAllEntries();
            }
        };
        try (KernelInvalidator inv = new KernelInvalidator(nodes)) {
            inv.attach(blocking);
            r.sent.clear(); // the epoch probe of attach
            // returns although the notifier blocks: a FUSE reader thread must never wait on the kernel here
            inv.invalidateLater("v", new ChangeSet(Set.of(1L), Set.of(entry(1, "a"))));
            release.countDown();
            // a waiting invalidation after it is delivered after it (one sender thread, in order)
            inv.invalidate("v", new ChangeSet(Set.of(), Set.of(entry(1, "b"))));
        }
        assertEquals(
                List.of(
                        "entry " + root + " a",
                        "inode " + root + " 0 0",
                        "entry " + root + " b",
                        "inode " + root + " 0 0"),
                r.sent);
    }
}
