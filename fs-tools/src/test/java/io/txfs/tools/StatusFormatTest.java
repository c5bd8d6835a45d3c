package io.txfs.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class StatusFormatTest {
    private static JsonNode json(String s) throws Exception {
        return new ObjectMapper().readTree(s);
    }

    @Test
    void statusIsOneLetterAndAPathPerEntryThenTheCounts() throws Exception {
        String text = StatusFormat.status(json("""
                {"ok":true,"verb":"status","view":"b1","changed_paths":4,"changed_bytes":10,"snapshot_version":3,
                 "published_version":5,"entries":[{"path":"a","kind":"added"},{"path":"b c","kind":"modified"},
                 {"path":"d","kind":"deleted"},{"path":"e","kind":"type_changed"},{"path":"f","kind":"metadata"}]}
                """));
        assertEquals("""
                A  a
                M  b c
                D  d
                T  e
                M  f
                # view b1: 4 paths, 10 bytes pending (snapshot 3, published 5)
                """, text);
    }

    @Test
    void summaryNamesWhatHappened() throws Exception {
        assertEquals("publish view v: 2 paths, 7 bytes, published version 9",
                StatusFormat.summary(json("{\"verb\":\"publish\",\"view\":\"v\",\"changed_paths\":2,\"changed_bytes\":7,\"published_version\":9}")));
        assertEquals("flush, flushed version 9", StatusFormat.summary(json("{\"verb\":\"flush\",\"flushed_version\":9}")));
    }

    @Test
    void viewsTableHasAHeaderAndARowPerView() throws Exception {
        String t = StatusFormat.views(json("""
                {"views":[{"name":"a","isolation":"snapshot","owner_uid":0,"changed_paths":1,"changed_bytes":2,"orphaned":true}]}
                """));
        String[] lines = t.split("\n");
        assertEquals(2, lines.length);
        assertTrue(lines[0].startsWith("VIEW"));
        assertTrue(lines[1].startsWith("a ") && lines[1].endsWith("orphaned"), lines[1]);
    }

    @Test
    void controlCommandsOutsideAMountFailClearly() {
        UserFacingException e = org.junit.jupiter.api.Assertions.assertThrows(UserFacingException.class,
                () -> MountLocator.controlFile(java.nio.file.Path.of("/proc")));
        assertTrue(e.getMessage().contains("no txfs mount"), e.getMessage());
    }
}
