package io.txfs.core.trace;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Access traces: first access per (kind, path), in order, kept across a restart, gone with their view. */
class AccessTracesTest {
    @TempDir
    Path dir;

    private static byte[] p(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> words(List<Access> entries) {
        return entries.stream()
                .map(a -> a.kind().word() + " " + new String(a.path(), StandardCharsets.ISO_8859_1))
                .toList();
    }

    @Test
    void firstAccessesInOrderKeptAcrossARestart() {
        byte[] odd = {'b', 'i', 'n', '/', (byte) 0xff, ' ', '%'};
        try (AccessTraces t = new AccessTraces(dir)) {
            assertFalse(t.traced(7));
            t.note(7, AccessKind.READ, p("src/a.c")); // not traced yet: nothing
            t.start(7);
            assertTrue(t.traced(7));
            t.note(7, AccessKind.LOOKUP, p("src"));
            t.note(7, AccessKind.READ, p("src/a.c"));
            t.note(7, AccessKind.LOOKUP, p("src")); // again: not a first access
            t.note(7, AccessKind.CREATE, p("out.o"));
            t.note(7, AccessKind.READ, p("out.o")); // another kind: a new entry
            t.note(7, AccessKind.EXEC, odd);
            t.start(8);
            t.note(8, AccessKind.MISSING, p("x"));
        }
        try (AccessTraces t = new AccessTraces(dir)) {
            List<Access> e = t.entries(7);
            assertEquals(
                    List.of("lookup src", "read src/a.c", "create out.o", "read out.o", "exec bin/\u00ff %"), words(e));
            assertArrayEquals(odd, e.get(4).path(), "any bytes survive the file");
            t.note(7, AccessKind.READ, p("src/a.c"));
            assertEquals(5, t.entries(7).size(), "what was seen before the restart is still seen");
            t.retainOnly(Set.of(7L));
            assertFalse(t.traced(8), "the trace of a view that no longer exists is dropped");
            assertFalse(Files.exists(dir.resolve("8.trace")));
            t.drop(7);
            assertFalse(Files.exists(dir.resolve("7.trace")));
            assertEquals(List.of(), t.entries(7));
        }
    }

    @Test
    void aLineCutByACrashIsSkipped() throws Exception {
        Files.writeString(dir.resolve("3.trace"), "read a\nlookup b\nrea");
        try (AccessTraces t = new AccessTraces(dir)) {
            assertEquals(List.of("read a", "lookup b"), words(t.entries(3)));
            t.note(3, AccessKind.READ, p("c"));
        }
        try (AccessTraces t = new AccessTraces(dir)) {
            assertEquals(List.of("read a", "lookup b", "read c"), words(t.entries(3)), "appended on a line of its own");
        }
    }

    @Test
    void withoutADirectoryTracesLiveInMemory() {
        try (AccessTraces t = new AccessTraces(null)) {
            t.start(1);
            t.note(1, AccessKind.READDIR, p(""));
            assertEquals(List.of("readdir "), words(t.entries(1)));
        }
    }

    @Test
    void theSeenSetGrowsAndRemembers() {
        SeenAccesses seen = new SeenAccesses();
        for (int i = 0; i < 100_000; i++) assertTrue(seen.add(AccessKind.READ, p("d/f" + i)));
        for (int i = 0; i < 100_000; i += 7) assertFalse(seen.add(AccessKind.READ, p("d/f" + i)));
        assertTrue(seen.add(AccessKind.LOOKUP, p("d/f0")), "another kind of the same path is new");
    }
}
