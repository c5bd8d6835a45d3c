package io.txfs.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.txfs.core.model.Isolation;
import io.txfs.core.progress.LongWork;
import io.txfs.core.progress.LongWorks;
import io.txfs.core.progress.WorkSnapshot;
import io.txfs.core.store.MemoryStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A flush reports how far it got through LongWorks, so that a client other than the flusher can show it. */
class FlushProgressTest {
    @TempDir
    Path tmp;

    @Test
    void aFlushReportsItsPhasesAndEndsWithEveryItemDone() throws Exception {
        Path backing = Files.createDirectories(tmp.resolve("backing"));
        LongWorks works = LongWorks.system();
        List<WorkSnapshot> seen = new ArrayList<>();
        works.listen(w -> seen.addAll(w.running()));
        try (Engine e =
                Engine.open(EngineConfig.memory(backing, new MemoryStore()).withWorks(works))) {
            TestFs w = new TestFs(e, e.createView("w", Isolation.SNAPSHOT, 0));
            for (int i = 0; i < 5; i++) w.write("f" + i, TestFs.b("content " + i));
            e.publish(w.view, false);
            seen.clear();
            e.flush();
        }
        assertTrue(works.running().isEmpty(), "a finished flush is no longer running");
        List<WorkSnapshot> flush =
                seen.stream().filter(s -> s.kind().equals("flush")).toList();
        WorkSnapshot lastStage = flush.stream()
                .filter(s -> s.phase().equals("stage"))
                .reduce((a, b) -> b)
                .orElseThrow();
        assertEquals(5, lastStage.itemsTotal(), "five new files to stage");
        assertEquals(5, lastStage.itemsDone());
        assertTrue(lastStage.bytesDone() >= 5 * "content 0".length(), "staged bytes counted: " + lastStage);
        WorkSnapshot lastApply = flush.stream()
                .filter(s -> s.phase().equals("apply"))
                .reduce((a, b) -> b)
                .orElseThrow();
        assertTrue(lastApply.itemsTotal() > 0);
        assertEquals(lastApply.itemsTotal(), lastApply.itemsDone(), "every plan step applied");
    }

    @Test
    void aWorkNobodyWatchesCountsButIsNeverListed() {
        LongWorks works = LongWorks.system();
        LongWork mine = works.start("gc");
        LongWork.unwatched().advance(1, 1);
        assertEquals(1, works.running().size());
        mine.phase("sweep", 10, LongWork.UNKNOWN).advance(3, 100);
        WorkSnapshot s = works.running().get(0);
        assertEquals("gc", s.kind());
        assertEquals(3, s.itemsDone());
        assertEquals(10, s.itemsTotal());
        assertEquals(LongWork.UNKNOWN, s.bytesTotal());
        mine.close();
        assertTrue(works.running().isEmpty());
    }
}
