package io.txfs.fuse.caller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Registrations outlive a daemon restart for processes that still run, and only for them. */
class RegistryFileTest {
    @TempDir
    Path dir;

    @Test
    void aRestartedRegistryKnowsLiveProcessesAndForgetsDeadOnes() throws Exception {
        Path file = dir.resolve("processes");
        int self = (int) ProcessHandle.current().pid();
        ProcessKey me = ProcStat.read(self).key();
        Process child = new ProcessBuilder("sleep", "60").start();
        ProcessKey kid = ProcStat.read((int) child.pid()).key();
        try {
            ViewRegistry before = new ViewRegistry(file, ProcessTable.LIVE);
            before.enter(me, "a", 10);
            before.enter(kid, "b", 11);
            before.enter(new ProcessKey(self, me.startTime() + 1), "impostor", 12); // same pid, other start
            child.destroyForcibly().waitFor();

            ViewRegistry after = new ViewRegistry(file, ProcessTable.LIVE);
            assertEquals(List.of(new ViewRegistry.Entry(me, "a", 10)), after.all());
            assertTrue(Files.readString(file).startsWith("txfs-processes 1\n"));
        } finally {
            child.destroyForcibly().waitFor();
        }
    }

    /** What prune keeps: every view a running registered process entered, its earlier ones too. */
    @Test
    void liveViewsAreThoseOfRunningProcesses() throws Exception {
        int self = (int) ProcessHandle.current().pid();
        ProcessKey me = ProcStat.read(self).key();
        Process child = new ProcessBuilder("sleep", "60").start();
        ProcessKey kid = ProcStat.read((int) child.pid()).key();
        try {
            ViewRegistry registry = new ViewRegistry(dir.resolve("processes"), ProcessTable.LIVE);
            registry.enter(me, "earlier", 10);
            registry.enter(me, "now", 11);
            registry.enter(kid, "gone", 12);
            registry.enter(new ProcessKey(self, me.startTime() + 1), "impostor", 13); // same pid, other start
            assertEquals(Set.of("earlier", "now", "gone"), registry.viewsOfLiveProcesses());
            child.destroyForcibly().waitFor();
            assertEquals(Set.of("earlier", "now"), registry.viewsOfLiveProcesses());
        } finally {
            child.destroyForcibly().waitFor();
        }
    }

    @Test
    void aDamagedFileIsIgnoredNotFatal() throws Exception {
        Path file = dir.resolve("processes");
        Files.writeString(file, "garbage\n1\t2\n");
        assertTrue(new ViewRegistry(file, ProcessTable.LIVE).all().isEmpty());
    }
}
