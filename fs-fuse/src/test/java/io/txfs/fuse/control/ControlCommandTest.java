package io.txfs.fuse.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ControlCommandTest {
    private static ControlCommand parse(String s) throws BadControlCommandException {
        return ControlCommand.parse(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String refusal(String s) {
        return assertThrows(BadControlCommandException.class, () -> parse(s)).getMessage();
    }

    @Test
    void shellStyleLinesParse() throws Exception {
        ControlCommand c = parse("publish force\n");
        assertEquals(ControlVerb.PUBLISH, c.verb());
        assertTrue(c.force());
        assertEquals(Optional.empty(), c.view());

        ControlCommand b = parse("begin view=build-1 isolation=read-committed");
        assertEquals(ControlVerb.BEGIN, b.verb());
        assertEquals(Optional.of("build-1"), b.view());
        assertEquals(Optional.of(ControlCommand.Isolation.READ_COMMITTED), b.isolation());
        assertEquals(Optional.of("x"), parse("  status\tview=x ").view());
    }

    @Test
    void everyCommandRoundTripsThroughItsLine() throws Exception {
        for (String line : List.of("begin view=a isolation=snapshot\n", "publish view=a force\n", "flush\n",
                "commit force\n", "abort view=a\n", "status\n", "diff view=a\n", "views\n")) {
            assertEquals(line, parse(line).toLine());
        }
    }

    @Test
    void badLinesAreRefusedWithAReason() {
        assertTrue(refusal("").contains("empty"));
        assertTrue(refusal("\n").contains("empty"));
        assertTrue(refusal("frobnicate").contains("unknown verb 'frobnicate'"));
        assertTrue(refusal("PUBLISH").contains("unknown verb"));
        assertTrue(refusal("flush view=a").contains("takes no argument 'view'"));
        assertTrue(refusal("views force").contains("takes no argument"));
        assertTrue(refusal("publish force=yes").contains("no value"));
        assertTrue(refusal("begin isolation=serializable").contains("snapshot or read-committed"));
        assertTrue(refusal("begin view=../etc").contains("bad view name"));
        assertTrue(refusal("begin view=").contains("bad view name"));
        assertTrue(refusal("begin view=.hidden").contains("bad view name"));
        assertTrue(refusal("begin view=" + "a".repeat(65)).contains("bad view name"));
        assertTrue(refusal("publish\nflush\n").contains("control character"));
        assertTrue(refusal("publish\0").contains("control character"));
        assertTrue(refusal("x".repeat(ControlCommand.MAX_LINE_BYTES + 1)).contains("longer than"));
    }

    @Test
    void nonUtf8BytesAreRefused() {
        byte[] junk = {'p', 'u', (byte) 0xff, (byte) 0xfe};
        assertThrows(BadControlCommandException.class, () -> ControlCommand.parse(junk));
    }

    @Test
    void repliesAreOneLineOfJson() throws Exception {
        String ok = ControlReply.ok(ControlVerb.PUBLISH).put("view", "a").put("changed_paths", 3).toJsonLine();
        assertTrue(ok.endsWith("\n"));
        assertEquals(1, ok.split("\n").length);
        JsonNode n = ControlReply.parse(ok);
        assertTrue(n.get("ok").asBoolean());
        assertEquals(3, n.get("changed_paths").asLong());

        JsonNode e = ControlReply.parse(ControlReply.error(ControlVerb.PUBLISH, "EBUSY", "conflict")
                .putStrings("conflicts", List.of("a/b", "c\nd")).toJsonLine());
        assertFalse(e.get("ok").asBoolean());
        assertEquals("EBUSY", e.get("error").asText());
        assertEquals("c\nd", e.get("conflicts").get(1).asText());
    }

    @Test
    void errnoNamesComeFromTheirNumbers() {
        assertEquals("EBUSY", ControlClient.errnoName(16));
        assertEquals("EINVAL", ControlClient.errnoName(22));
        assertEquals("errno 9999", ControlClient.errnoName(9999));
    }
}
