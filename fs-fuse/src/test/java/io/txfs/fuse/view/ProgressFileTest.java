package io.txfs.fuse.view;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.txfs.control.ControlReply;
import io.txfs.core.progress.LongWork;
import io.txfs.core.progress.LongWorks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file `txfs mount` reads while the daemon recovers: written while work runs, gone when it ends. */
class ProgressFileTest {
    @TempDir
    Path tmp;

    @Test
    void theFileFollowsTheRunningWorkAtMostFourTimesASecondAndIsRemovedAtItsEnd() throws Exception {
        AtomicLong clock = new AtomicLong(1_000_000_000L);
        LongWorks works = new LongWorks(clock::get);
        Path file = tmp.resolve("progress.json");
        ProgressFile pf = new ProgressFile(file);
        works.listen(pf);
        try (LongWork w = works.start("recovery")) {
            w.phase("apply", 10, LongWork.UNKNOWN);
            JsonNode first =
                    ControlReply.parse(Files.readString(file)).path("running").get(0);
            assertEquals("recovery", first.path("kind").asText());
            clock.addAndGet(100_000_000L);
            w.advance(4, 0);
            assertEquals(
                    0,
                    ControlReply.parse(Files.readString(file))
                            .path("running")
                            .get(0)
                            .path("items_done")
                            .asLong(),
                    "within 250 ms of the last write the file is not rewritten");
            clock.addAndGet(200_000_000L);
            w.advance(1, 0);
            JsonNode later =
                    ControlReply.parse(Files.readString(file)).path("running").get(0);
            assertEquals(5, later.path("items_done").asLong());
            assertEquals(10, later.path("items_total").asLong());
            assertEquals("apply", later.path("phase").asText());
        }
        assertFalse(Files.exists(file), "nothing runs: no file");
        try (LongWork w = works.start("recovery")) {
            assertTrue(Files.exists(file));
            pf.close();
            assertFalse(Files.exists(file), "closed: the control file reports progress from now on");
            w.advance(1, 0);
            assertFalse(Files.exists(file));
        }
    }
}
