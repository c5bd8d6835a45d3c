package io.txfs.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class QuotedPathTest {
    private static byte[] b(String latin1) {
        return latin1.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Each expected string is what {@code git -c core.quotePath=true ls-files} printed for the name. */
    @Test
    void quotesAsGitDoes() {
        assertEquals("sp ace", QuotedPath.quote(b("sp ace")));
        assertEquals("dir/plain-name_1.txt", QuotedPath.quote(b("dir/plain-name_1.txt")));
        assertEquals("\"tab\\tx\"", QuotedPath.quote(b("tab\tx")));
        assertEquals("\"nl\\nx\"", QuotedPath.quote(b("nl\nx")));
        assertEquals("\"q\\\"x\"", QuotedPath.quote(b("q\"x")));
        assertEquals("\"bs\\\\x\"", QuotedPath.quote(b("bs\\x")));
        assertEquals("\"bel\\a\"", QuotedPath.quote(b("bel\u0007")));
        assertEquals("\"vt\\v\"", QuotedPath.quote(b("vt\u000b")));
        assertEquals("\"del\\177\"", QuotedPath.quote(b("del\u007f")));
        assertEquals("\"\\377\\376\"", QuotedPath.quote(b("\u00ff\u00fe")));
        assertEquals("\"caf\\303\\251\"", QuotedPath.quote("café"));
        assertEquals("\"\\001\\r\\b\\f\"", QuotedPath.quote(b("\u0001\r\b\f")));
        assertEquals("\"a/x\\ny\"", QuotedPath.quote("a/", b("x\ny")));
        assertEquals("a/x", QuotedPath.quote("a/", b("x")));
    }

    @Test
    void unquoteGivesTheExactBytesBack() {
        Random random = new Random(18);
        for (int i = 0; i < 2000; i++) {
            byte[] name = new byte[1 + random.nextInt(12)];
            random.nextBytes(name);
            assertArrayEquals(name, QuotedPath.unquote(QuotedPath.quote(name)));
        }
        assertArrayEquals(b("plain"), QuotedPath.unquote("plain"));
    }

    @Test
    void aQuotedStringEndsAtItsClosingQuote() {
        String header = "\"a/x\\\"y\" \"b/x\\\"y\"";
        int close = QuotedPath.closingQuote(header, 0);
        assertEquals(7, close);
        assertArrayEquals(b("a/x\"y"), QuotedPath.unquoteAt(header, 0, close));
        assertEquals(-1, QuotedPath.closingQuote("\"open", 0));
    }

    @Test
    void badQuotingIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> QuotedPath.unquote("\"x\\q\""));
        assertThrows(IllegalArgumentException.class, () -> QuotedPath.unquote("\"x\\40\""));
        assertThrows(IllegalArgumentException.class, () -> QuotedPath.unquote("\"x\\777\""));
        assertThrows(IllegalArgumentException.class, () -> QuotedPath.unquote("\"x\" y"));
        assertThrows(IllegalArgumentException.class, () -> QuotedPath.unquote("\"x"));
    }
}
