package io.txfs.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.txfs.core.model.Caller;
import io.txfs.core.model.FaultInjector;
import io.txfs.core.model.FaultPoint;
import io.txfs.core.model.FsException;
import io.txfs.core.model.GroupPolicy;
import io.txfs.core.model.Isolation;
import io.txfs.core.model.PublishConflictException;
import io.txfs.core.store.MemoryStore;
import io.txfs.core.transactions.GroupCommit;
import io.txfs.core.tree.View;
import io.txfs.sys.Errno;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shared default's group commit (docs/views.md, "Group commit"): operations are grouped into one
 * published version, each visible to everyone else as soon as it returned, none lost by a crash.
 */
class GroupCommitTest {
    /** Long enough that no group is published by its window while a test looks. */
    private static final GroupPolicy NEVER_BY_TIME = new GroupPolicy(GroupPolicy.MAX_WINDOW, 1000);

    @TempDir
    Path tmp;

    private Path backing;
    private MemoryStore store;
    private final List<Engine> engines = new ArrayList<>();

    @BeforeEach
    void backing() throws Exception {
        backing = Files.createDirectories(tmp.resolve("backing"));
        store = new MemoryStore();
    }

    @AfterEach
    void closeAll() {
        for (Engine e : engines) e.close();
    }

    private Engine open(FaultInjector faults) {
        Engine e = Engine.open(EngineConfig.memory(backing, store).withFaults(faults));
        engines.add(e);
        return e;
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** One operation of the shared view, as the mount does it: the change, then the group hears of it. */
    private static long create(Engine e, GroupCommit g, View v, String name, String content) {
        long ino = e.create(v, Engine.ROOT, b(name), 0644, Caller.ROOT).ino();
        g.operationDone();
        e.write(v, ino, 0, b(content));
        g.operationDone();
        return ino;
    }

    private static void await(String what, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("not within 10 s: " + what);
            Thread.sleep(10);
        }
    }

    @Test
    void operationsInOneWindowBecomeOneVersion() {
        Engine e = open(FaultInjector.NONE);
        View shared = e.createView("shared", Isolation.READ_COMMITTED, 0);
        GroupCommit g = e.groupCommit(shared, NEVER_BY_TIME);
        long before = e.headVersion();
        int logBefore = e.log().size();
        for (int i = 0; i < 100; i++) create(e, g, shared, "f" + i, "data " + i);
        assertEquals(200, g.status().waiting(), "the 200 operations wait in one group");
        assertNotNull(g.publishPending());
        assertEquals(before + 1, e.headVersion(), "200 operations, one version");
        assertEquals(logBefore + 1, e.log().size());
        View pub = e.published();
        for (int i = 0; i < 100; i++) {
            long ino = e.lookup(pub, Engine.ROOT, b("f" + i)).ino();
            assertArrayEquals(b("data " + i), e.read(pub, ino, 0, 100));
        }
        assertEquals(null, g.publishPending(), "nothing left: no empty version");
        assertEquals(before + 1, e.headVersion());
        create(e, g, shared, "late", "x");
        View other = e.createView("other", Isolation.SNAPSHOT, 0);
        e.write(other, e.lookup(other, Engine.ROOT, b("late")).ino(), 0, b("y"));
        e.publish(other, false);
        e.write(shared, e.lookup(shared, Engine.ROOT, b("late")).ino(), 0, b("z"));
        assertEquals(
                before + 4,
                e.publish(shared, false).version(),
                "publish of the shared view itself is forced, as its groups are");
        assertThrows(FsException.class, () -> e.abort(shared), "its returned operations are never dropped");
    }

    @Test
    void aFullGroupIsPublishedAtItsSize() {
        Engine e = open(FaultInjector.NONE);
        View shared = e.createView("shared", Isolation.READ_COMMITTED, 0);
        GroupCommit g = e.groupCommit(shared, new GroupPolicy(GroupPolicy.MAX_WINDOW, 10));
        long before = e.state.head();
        for (int i = 0; i < 25; i++) {
            e.mkdir(shared, Engine.ROOT, b("d" + i), 0755, Caller.ROOT);
            g.operationDone();
        }
        assertEquals(
                before + 2,
                e.state.head(),
                "two full groups of 10 published, read without asking for the head (which publishes)");
        assertEquals(5, g.status().waiting());
        assertEquals(2, g.status().groups());
    }

    @Test
    void theWindowPublishesWithoutAnyoneAsking() throws Exception {
        Engine e = open(FaultInjector.NONE);
        View shared = e.createView("shared", Isolation.READ_COMMITTED, 0);
        GroupCommit g = e.groupCommit(shared, new GroupPolicy(Duration.ofMillis(50), 1000));
        long before = e.state.head();
        for (int i = 0; i < 5; i++) create(e, g, shared, "f" + i, "x");
        await("the window's publish", () -> g.status().groups() == 1);
        assertEquals(before + 1, e.state.head(), "one version for the five operations");
    }

    @Test
    void everyOperationIsSeenByOthersAsSoonAsItReturned() {
        Engine e = open(FaultInjector.NONE);
        View shared = e.createView("shared", Isolation.READ_COMMITTED, 0);
        View committed = e.createView("rc", Isolation.READ_COMMITTED, 0);
        GroupCommit g = e.groupCommit(shared, NEVER_BY_TIME);
        long ino = create(e, g, shared, "f", "one");
        assertArrayEquals(b("one"), e.read(committed, ino, 0, 10), "a read-committed view reads it");
        e.write(shared, ino, 0, b("two"));
        g.operationDone();
        assertArrayEquals(b("two"), e.read(e.published(), ino, 0, 10), "the published state holds it");
        e.write(shared, ino, 0, b("333"));
        g.operationDone();
        View later = e.createView("later", Isolation.SNAPSHOT, 0);
        assertArrayEquals(b("333"), e.read(later, ino, 0, 10), "a view begun after it starts with it");
        e.write(shared, ino, 0, b("444"));
        g.operationDone();
        e.flush();
        assertEquals("444", readBacking("f"), "a flush writes it");
    }

    private String readBacking(String name) {
        try {
            return Files.readString(backing.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void aViewPublishAfterAGroupedChangeFollowsFirstCommitterWins() {
        Engine e = open(FaultInjector.NONE);
        View shared = e.createView("shared", Isolation.READ_COMMITTED, 0);
        GroupCommit g = e.groupCommit(shared, NEVER_BY_TIME);
        long ino = create(e, g, shared, "f", "base");
        View snap = e.createView("snap", Isolation.SNAPSHOT, 0);
        e.write(shared, ino, 0, b("mine"));
        g.operationDone(); // returned before the view's publish below, still in the group
        e.write(snap, ino, 0, b("view"));
        PublishConflictException c = assertThrows(PublishConflictException.class, () -> e.publish(snap, false));
        assertEquals(List.of("/f"), c.paths());
        assertArrayEquals(b("mine"), e.read(e.published(), ino, 0, 10));
    }

    @Test
    void aCrashLosesNoOperationThatReturned() {
        Engine first = open(FaultInjector.NONE);
        View shared = first.createView("shared", Isolation.READ_COMMITTED, 0);
        GroupCommit g = first.groupCommit(shared, NEVER_BY_TIME);
        long published = first.state.head();
        for (int i = 0; i < 20; i++) create(first, g, shared, "f" + i, "data " + i);
        assertEquals(published, first.state.head(), "nothing of the group published yet");
        // the crash: the store's state as it is now, opened again without closing the engine
        MemoryStore crashed = store;
        store = crashed.reopened();
        crashed.close(); // the old engine's timer, should it fire, finds its store gone
        engines.remove(first);
        Engine second = open(FaultInjector.NONE);
        View again = second.view("shared");
        second.groupCommit(again, NEVER_BY_TIME);
        assertEquals(published + 1, second.state.head(), "the group left pending is published at the start");
        for (int i = 0; i < 20; i++) {
            long ino =
                    second.lookup(second.published(), Engine.ROOT, b("f" + i)).ino();
            assertArrayEquals(b("data " + i), second.read(second.published(), ino, 0, 100));
        }
    }

    @Test
    void aGroupThatCannotPublishStaysPendingAndIsRetried() throws Exception {
        AtomicBoolean refuse = new AtomicBoolean();
        Engine e = open(point -> {
            if (refuse.get() && point.equals(FaultPoint.PUBLISH_BEFORE_BATCH))
                throw new FsException(Errno.EIO, "injected");
        });
        View shared = e.createView("shared", Isolation.READ_COMMITTED, 0);
        GroupCommit g = e.groupCommit(shared, new GroupPolicy(Duration.ofMillis(50), 1000));
        refuse.set(true);
        long before = e.state.head();
        long ino = create(e, g, shared, "f", "kept");
        await("a failed publish", () -> g.status().failures() >= 1);
        assertTrue(g.status().lastError().contains("injected"), g.status().lastError());
        assertEquals(before, e.state.head());
        assertArrayEquals(b("kept"), e.read(shared, ino, 0, 10), "the view's processes still read it");
        refuse.set(false);
        await("the retry", () -> e.state.head() == before + 1);
        assertEquals(null, g.status().lastError());
        assertArrayEquals(b("kept"), e.read(e.published(), ino, 0, 10));
    }
}
