package io.txfs.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProgressLinesTest {
    private static ProgressReport export(long bytes) {
        return new ProgressReport(1, "export", "write", 0, -1, bytes, -1, 5_000_000, 5_000_000);
    }

    @Test
    void theLastStateHeldBackByTheOneLineASecondLimitIsPrintedAtTheEnd() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ProgressLines lines = new ProgressLines(new PrintStream(out, true, StandardCharsets.UTF_8), () -> 42L);
        lines.show(export(0));
        // the same instant: held back (an export of a few hundred MiB can end before the next line)
        lines.show(export(100L << 20));
        lines.show(export(200L << 20));
        String before = out.toString(StandardCharsets.UTF_8);
        assertEquals(1, before.lines().count(), before);
        assertTrue(!before.contains("MiB"), before);
        lines.end();
        String all = out.toString(StandardCharsets.UTF_8);
        assertEquals(2, all.lines().count(), all);
        assertTrue(all.lines().toList().get(1).contains("200.0 MiB"), all);
        lines.end();
        assertEquals(all, out.toString(StandardCharsets.UTF_8), "nothing is printed twice");
    }
}
