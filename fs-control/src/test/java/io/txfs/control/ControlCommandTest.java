package io.txfs.control;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
        for (String line : List.of(
                "begin view=a isolation=snapshot\n",
                "publish view=a force\n",
                "flush\n",
                "commit force\n",
                "abort view=a\n",
                "status\n",
                "diff view=a\n",
                "views\n",
                "status view=a objects=sha256 canonical\n",
                "diff format=jsonl\n",
                "diff view=a format=text objects=sha1\n",
                "hash\n",
                "hash view=a format=sha256 extended mtimes path=a%20b/%C3%28\n",
                "hash published\n",
                "hash backing format=sha1 path=src\n",
                "log\n",
                "export view=a format=oci-tar\n",
                "import view=a fd=0\n",
                "prune\n",
                "prune older_than=3600\n",
                "refresh\n",
                "refresh view=a\n",
                "begin view=a toplevel\n",
                "abort view=a if_unchanged\n",
                "publish view=a merge=bytes\n",
                "commit merge=bytes\n")) {
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
        assertTrue(refusal("refresh force").contains("'refresh' takes no argument 'force'"));
        assertTrue(refusal("publish toplevel").contains("takes no argument"));
        assertTrue(refusal("begin toplevel=1").contains("no value"));
        assertTrue(refusal("publish force=yes").contains("no value"));
        assertTrue(refusal("publish force merge=bytes").contains("do not go together"));
        assertTrue(refusal("publish merge=lines").contains("bytes"));
        assertTrue(refusal("flush merge=bytes").contains("takes no argument 'merge'"));
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
    void pruneTakesAnAgeInWholeSeconds() throws Exception {
        assertEquals(Optional.of(600L), parse("prune older_than=600").olderThanSeconds());
        assertEquals(Optional.empty(), parse("prune").olderThanSeconds());
        assertTrue(refusal("prune older_than=10m").contains("number of seconds"));
        assertTrue(refusal("prune older_than").contains("number of seconds"));
        assertTrue(refusal("prune view=a").contains("takes no argument 'view'"));
        assertTrue(refusal("abort older_than=5").contains("takes no argument 'older_than'"));
    }

    @Test
    void inspectionArgumentsParse() throws Exception {
        ControlCommand h = parse("hash view=v format=sha256 extended path=a%20b/x%FF");
        assertEquals(ControlVerb.HASH, h.verb());
        assertEquals(Optional.of("sha256"), h.format());
        assertTrue(h.extended());
        assertFalse(h.mtimes());
        assertArrayEquals(
                new byte[] {'a', ' ', 'b', '/', 'x', (byte) 0xff}, h.pathBytes().orElseThrow());
        assertTrue(parse("hash published").published());
        assertTrue(parse("hash backing").backing());
        assertTrue(parse("status canonical").canonical());
        assertEquals(Optional.of("jsonl"), parse("diff format=jsonl").format());
        assertEquals(Optional.empty(), parse("hash").pathBytes());
    }

    @Test
    void pathsRoundTripThroughPercentEncoding() throws Exception {
        byte[] raw = {'s', 'p', ' ', '%', '/', (byte) 0xc3, '(', '\t', '~'};
        String enc = ControlCommand.encodePath(raw);
        assertEquals("sp%20%25/%C3(%09~", enc);
        assertArrayEquals(raw, parse("hash path=" + enc).pathBytes().orElseThrow());
    }

    @Test
    void badInspectionArgumentsAreRefused() {
        assertTrue(refusal("hash format=md5").contains("sha1, sha256"));
        assertTrue(refusal("diff format=sha1").contains("text, jsonl"));
        assertTrue(refusal("status format=jsonl").contains("takes no argument 'format'"));
        assertTrue(refusal("hash view=a published").contains("name one state"));
        assertTrue(refusal("hash published backing").contains("name one state"));
        assertTrue(refusal("hash mtimes").contains("needs 'extended'"));
        assertTrue(refusal("hash path=a%2").contains("%-escape"));
        assertTrue(refusal("hash path=a%00b").contains("NUL"));
        assertTrue(refusal("hash path").contains("needs a value"));
        assertTrue(refusal("hash extended=1").contains("no value"));
        assertTrue(refusal("log view=a").contains("takes no argument"));
        assertTrue(refusal("diff canonical").contains("takes no argument"));
        assertTrue(refusal("export format=jsonl").contains("oci-tar"));
        assertTrue(refusal("import fd=-1").contains("descriptor number"));
        assertTrue(refusal("import fd").contains("descriptor number"));
        assertTrue(refusal("import path=x").contains("takes no argument"));
    }

    @Test
    void nonUtf8BytesAreRefused() {
        byte[] junk = {'p', 'u', (byte) 0xff, (byte) 0xfe};
        assertThrows(BadControlCommandException.class, () -> ControlCommand.parse(junk));
    }

    @Test
    void repliesAreOneLineOfJson() throws Exception {
        String ok = ControlReply.ok(ControlVerb.PUBLISH)
                .put("view", "a")
                .put("changed_paths", 3)
                .toJsonLine();
        assertTrue(ok.endsWith("\n"));
        assertEquals(1, ok.split("\n").length);
        JsonNode n = ControlReply.parse(ok);
        assertTrue(n.get("ok").asBoolean());
        assertEquals(3, n.get("changed_paths").asLong());

        JsonNode e = ControlReply.parse(ControlReply.error(ControlVerb.PUBLISH, "EBUSY", "conflict")
                .putStrings("conflicts", List.of("a/b", "c\nd"))
                .toJsonLine());
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

    @Test
    void versionDiffsAndLogWaitParse() throws Exception {
        ControlCommand d = parse("diff from=3 to=published format=jsonl objects=sha256");
        assertEquals(Optional.of("3"), d.from());
        assertEquals(Optional.of("published"), d.to());
        for (String line : new String[] {
            "diff from=flushed to=published\n", "diff format=jsonl from=0 to=12\n", "log wait\n", "log\n"
        }) {
            assertEquals(line, parse(line).toLine());
        }
        assertTrue(parse("log wait").await());
        assertTrue(refusal("diff from=3").contains("go together"));
        assertTrue(refusal("diff view=a from=1 to=2").contains("not both"));
        assertTrue(refusal("diff from=-1 to=2").contains("version number"));
        assertTrue(refusal("diff from=head to=2").contains("version number"));
        assertTrue(refusal("hash from=1 to=2").contains("takes no argument"));
        assertTrue(refusal("log wait=5").contains("takes no value"));
    }
}
