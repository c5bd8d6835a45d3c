package io.txfs.fuse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class NamesTest {
    static void roundTrip(byte[] b) {
        assertArrayEquals(b, Names.encode(Names.decode(b)));
    }

    @Test
    void utf8DecodesAsUsual() {
        String s = "snow \u2603 caf\u00e9 \ud83d\ude00";
        assertEquals(s, Names.decode(s.getBytes(StandardCharsets.UTF_8)));
        roundTrip(s.getBytes(StandardCharsets.UTF_8));
        assertEquals("plain", Names.decode("plain".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void invalidBytesSurviveTheRoundTrip() {
        roundTrip(new byte[] {(byte) 0xff, (byte) 0xfe, ' ', 'n'});
        roundTrip(new byte[] {(byte) 0xc3}); // truncated sequence
        roundTrip(new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80}); // an encoded surrogate
        roundTrip(new byte[] {(byte) 0xc0, (byte) 0x80}); // overlong NUL
        roundTrip(new byte[] {(byte) 0xef, (byte) 0xbf, (byte) 0xbd, (byte) 0x80}); // U+FFFD then a stray byte
        assertEquals("\udcff\udcfe x", Names.decode(new byte[] {(byte) 0xff, (byte) 0xfe, ' ', 'x'}));
    }

    @Test
    void cstringEndsWithNul() {
        assertArrayEquals(new byte[] {'a', (byte) 0xff, 0}, Names.cstring(Names.decode(new byte[] {'a', (byte) 0xff})));
    }
}
