package io.txfs.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Work files (an import's spool) live in the state directory and do not outlive the daemon that made them. */
class ScratchDirectoryTest {
    @TempDir
    Path tmp;

    @Test
    void scratchIsInTheStateDirectoryAndEmptiedAtOpen() throws IOException {
        Path backing = Files.createDirectories(tmp.resolve("backing"));
        Path state = tmp.resolve("state");
        Path left;
        try (Engine e = Engine.open(EngineConfig.rocks(backing, state))) {
            Path scratch = e.scratchDirectory();
            assertTrue(scratch.startsWith(state), scratch.toString());
            left = Files.writeString(Files.createTempFile(scratch, "import-", ".tar"), "a spool a killed daemon left");
        }
        try (Engine e = Engine.open(EngineConfig.rocks(backing, state))) {
            assertFalse(Files.exists(left), "emptied when the engine opened");
            try (var files = Files.list(e.scratchDirectory())) {
                assertEquals(0, files.count());
            }
        }
    }
}
