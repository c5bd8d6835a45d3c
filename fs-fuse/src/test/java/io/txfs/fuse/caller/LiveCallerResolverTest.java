package io.txfs.fuse.caller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The resolver against real processes: /proc parsing, pidfd-checked caching, exited callers. */
class LiveCallerResolverTest {
    private final ViewRegistry reg = new ViewRegistry();
    private final CallerResolver r = new CallerResolver(reg, ProcessTable.LIVE);

    private static int self() {
        return (int) ProcessHandle.current().pid();
    }

    /** Waits (bounded) until the boot clock has moved past {@code ticks}, so "before" is unambiguous. */
    private static void awaitTickAfter(long ticks) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (ProcessTable.LIVE.nowTicks() <= ticks) {
            assertTrue(System.nanoTime() < deadline, "boot clock did not advance");
            Thread.onSpinWait();
        }
    }

    @Test
    void aRealChildInheritsTheViewOfTheProcessThatEnteredIt() throws Exception {
        r.enter(self(), "v");
        awaitTickAfter(ProcessTable.LIVE.nowTicks());
        Process child = new ProcessBuilder("sleep", "60").start();
        try {
            assertEquals(new CallerView.Named("v"), r.resolve((int) child.pid()));
            assertEquals(new CallerView.Named("v"), r.resolve((int) child.pid()), "cached answer");
        } finally {
            child.destroyForcibly().waitFor();
        }
    }

    @Test
    void aChildStartedBeforeEnteringIsNotInTheView() throws Exception {
        Process child = new ProcessBuilder("sleep", "60").start();
        try {
            long childStart = ProcStat.read((int) child.pid()).startTime();
            awaitTickAfter(childStart);
            r.enter(self(), "v");
            assertTrue(r.resolve((int) child.pid()) instanceof CallerView.Unregistered);
        } finally {
            child.destroyForcibly().waitFor();
        }
    }

    @Test
    void aThreadOfThisProcessResolvesLikeTheProcess() throws Exception {
        r.enter(self(), "v");
        CompletableFuture<Integer> tid = new CompletableFuture<>();
        CountDownLatch done = new CountDownLatch(1);
        Thread t = new Thread(() -> {
            tid.complete(gettid());
            try {
                done.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        t.start();
        try {
            int id = tid.get(5, TimeUnit.SECONDS);
            assertTrue(id != self());
            assertEquals(new CallerView.Named("v"), r.resolve(id));
        } finally {
            done.countDown();
            t.join();
        }
    }

    @Test
    void anExitedCallersCachedAnswerIsNotServed() throws Exception {
        Process child = new ProcessBuilder("sleep", "60").start();
        int pid = (int) child.pid();
        assertTrue(r.resolve(pid) instanceof CallerView.Unregistered);
        assertEquals(1, r.cachedCount());
        child.destroyForcibly().waitFor();
        assertThrows(UnknownCallerException.class, () -> r.resolve(pid));
    }

    private static int gettid() {
        try {
            return Integer.parseInt(Files.readSymbolicLink(Path.of("/proc/thread-self"))
                    .getFileName()
                    .toString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
