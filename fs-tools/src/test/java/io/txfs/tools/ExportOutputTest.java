package io.txfs.tools;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The client's side of a streamed export: the header line of {@code export … canonical}, and {@code txfs stats}'s text. */
class ExportOutputTest {
    @Test
    void theHeaderLineIsSplitFromTheTarWhereverTheReadsCutThem() throws Exception {
        byte[] reply = "{\"view\":\"v\",\"delta_id\":\"abc\"}\nTAR\nBYTES\n".getBytes(StandardCharsets.UTF_8);
        for (int piece = 1; piece <= reply.length; piece++) {
            ByteArrayOutputStream tar = new ByteArrayOutputStream();
            InspectCommands.HeaderLine h = new InspectCommands.HeaderLine(tar);
            for (int off = 0; off < reply.length; off += piece) {
                h.write(reply, off, Math.min(piece, reply.length - off));
            }
            JsonNode header = h.header();
            assertEquals("abc", header.get("delta_id").asText(), "pieces of " + piece);
            assertArrayEquals("TAR\nBYTES\n".getBytes(StandardCharsets.UTF_8), tar.toByteArray(), "pieces of " + piece);
        }
    }

    @Test
    void aReplyThatEndsInsideTheHeaderIsAnError() throws Exception {
        InspectCommands.HeaderLine h = new InspectCommands.HeaderLine(new ByteArrayOutputStream());
        h.write("{\"view\":".getBytes(StandardCharsets.UTF_8));
        assertThrows(IOException.class, h::header);
    }

    @Test
    void statsTextNamesEachPartWithItsLimit() throws Exception {
        JsonNode m = new ObjectMapper()
                .readTree("{\"heap_used\":10485760,\"heap_committed\":20971520,\"heap_max\":201326592,"
                        + "\"metaspace_used\":1048576,\"metaspace_max\":100663296,\"direct_used\":0,\"direct_max\":67108864,"
                        + "\"rss\":157286400,\"rss_peak\":209715200,\"block_cache_capacity\":100663296,\"block_cache_usage\":1048576,"
                        + "\"memtable_budget\":50331648,\"memtable_usage\":524288,\"state_bytes\":-1}");
        String text = StatsCommand.text(m);
        assertTrue(text.contains("heap                 10.0 MiB  of max 192.0 MiB (committed 20.0 MiB)"), text);
        assertTrue(text.contains("block cache           1.0 MiB  of 96.0 MiB"), text);
        assertTrue(text.contains("memtables             0.5 MiB  of 48.0 MiB"), text);
        assertTrue(text.contains("rss                 150.0 MiB  peak 200.0 MiB"), text);
        assertTrue(
                text.lines().anyMatch(l -> l.startsWith("state directory") && l.endsWith(" ?")),
                "unknown sizes say so: " + text);
    }
}
