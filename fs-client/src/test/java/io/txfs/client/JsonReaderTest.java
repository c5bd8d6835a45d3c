package io.txfs.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonReaderTest {

    @Test
    void objectsKeepTheirMemberOrderAndNest() throws Exception {
        Object v = JsonReader.parse(" {\"b\":1, \"a\" : [true,false,null,{}], \"c\":{\"d\":[]}}\n");
        Map<String, Object> want = new LinkedHashMap<>();
        want.put("b", 1L);
        want.put("a", Arrays.asList(true, false, null, Map.of()));
        want.put("c", Map.of("d", List.of()));
        assertEquals(want, v);
        assertEquals(List.of("b", "a", "c"), List.copyOf(((Map<?, ?>) v).keySet()));
    }

    @Test
    void scalarsStandAloneToo() throws Exception {
        assertEquals("x", JsonReader.parse("\"x\""));
        assertEquals(Boolean.TRUE, JsonReader.parse("true"));
        assertNull(JsonReader.parse(" null "));
        assertEquals(List.of(), JsonReader.parse("[ ]"));
    }

    @Test
    void everyEscapeIsDecoded() throws Exception {
        assertEquals("q\" b\\ s/ \b\f\n\r\t end", JsonReader.parse("\"q\\\" b\\\\ s\\/ \\b\\f\\n\\r\\t end\""));
        assertEquals("\u0001 é \u20ac", JsonReader.parse("\"\\u0001 \\u00E9 \\u20aC\""));
    }

    @Test
    void anEscapedSurrogatePairIsOneCodePoint() throws Exception {
        String s = (String) JsonReader.parse("\"\\uD83D\\uDE00!\"");
        assertEquals("\uD83D\uDE00!", s);
        assertEquals(2, s.codePointCount(0, s.length()));
        assertEquals(0x1F600, s.codePointAt(0));
    }

    @Test
    void unescapedNonAsciiPassesThrough() throws Exception {
        assertEquals("grüße 😀 日本", JsonReader.parse("\"grüße 😀 日本\""));
    }

    @Test
    void integersAreLongsUntilTheyDoNotFit() throws Exception {
        assertEquals(0L, JsonReader.parse("0"));
        assertEquals(-7L, JsonReader.parse("-7"));
        assertEquals(Long.MAX_VALUE, JsonReader.parse("9223372036854775807"));
        assertEquals(Long.MIN_VALUE, JsonReader.parse("-9223372036854775808"));
        assertEquals(new BigInteger("9223372036854775808"), JsonReader.parse("9223372036854775808"));
    }

    @Test
    void fractionsAndExponentsAreDecimals() throws Exception {
        assertEquals(new BigDecimal("1.5"), JsonReader.parse("1.5"));
        assertEquals(new BigDecimal("-0.25e+3"), JsonReader.parse("-0.25e+3"));
        assertEquals(new BigDecimal("2E-2"), JsonReader.parse("2E-2"));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "   ",
                "{",
                "{\"a\"}",
                "{\"a\":1,}",
                "{a:1}",
                "[1,]",
                "[1 2]",
                "01",
                "-",
                "1.",
                ".5",
                "1e",
                "+1",
                "\"open",
                "\"bad \\x escape\"",
                "\"\\u12\"",
                "\"\\u12G4\"",
                "\"raw \n newline\"",
                "tru",
                "nul",
                "{} {}",
                "[] x",
                "NaN"
            })
    void malformedTextIsRefusedWithItsOffset(String text) {
        MalformedReplyException e = assertThrows(MalformedReplyException.class, () -> JsonReader.parse(text));
        assertTrue(e.getMessage().startsWith("not JSON at offset "), e.getMessage());
    }

    @Test
    void nestingBeyondTheLimitIsRefusedNotAStackOverflow() throws Exception {
        String ok = "[".repeat(JsonReader.MAX_DEPTH) + "]".repeat(JsonReader.MAX_DEPTH);
        JsonReader.parse(ok);
        String deep = "[".repeat(JsonReader.MAX_DEPTH + 1) + "]".repeat(JsonReader.MAX_DEPTH + 1);
        assertThrows(MalformedReplyException.class, () -> JsonReader.parse(deep));
        assertThrows(MalformedReplyException.class, () -> JsonReader.parse("[".repeat(100_000)));
    }

    @Test
    void parsedContainersCannotBeChanged() throws Exception {
        Map<?, ?> m = (Map<?, ?>) JsonReader.parse("{\"a\":[1]}");
        assertThrows(UnsupportedOperationException.class, () -> m.remove("a"));
        assertThrows(UnsupportedOperationException.class, () -> ((List<?>) m.get("a")).clear());
    }
}
