package io.txfs.core.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.txfs.core.model.Identity;
import io.txfs.core.store.Bytes;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The preserved-copy marker is a storage format: byte layout, the format-3 marker, refusal of others. */
class PreservedMarkerTest {
    @Test
    void aPartialMarkerNamesItsSuccessorByteForByte() {
        Identity next = new Identity(1, 2, 3, 4, 5);
        PreservedMarker m = PreservedMarker.staged(7, 65536).withSuccessor(next);
        byte[] b = m.encode();
        byte[] want = Bytes.concat(new byte[] {2, 'p'}, Bytes.longs(7, 65536, 1, 2, 3, 4, 5));
        assertArrayEquals(want, b);
        assertEquals(m, PreservedMarker.decode(b));
        assertEquals(next, PreservedMarker.decode(b).successor());
    }

    @Test
    void completeAndStagedMarkersHaveNoSuccessor() {
        for (PreservedMarker m :
                new PreservedMarker[] {PreservedMarker.complete(3, 10), PreservedMarker.staged(3, 0)}) {
            byte[] b = m.encode();
            assertEquals(18, b.length);
            assertEquals(m, PreservedMarker.decode(b));
            assertNull(PreservedMarker.decode(b).successor());
        }
        assertTrue(
                PreservedMarker.decode(PreservedMarker.complete(3, 10).encode()).isComplete());
    }

    @Test
    void aFormatThreeMarkerIsACompleteCopyOfUnknownSize() {
        PreservedMarker m = PreservedMarker.decode(new byte[] {1});
        assertTrue(m.isComplete());
        assertEquals(0, m.node());
        assertEquals(-1, m.bytes());
    }

    @Test
    void unknownFormatsAndKindsAreRefused() {
        assertThrows(IllegalStateException.class, () -> PreservedMarker.decode(new byte[] {3}));
        byte[] b = PreservedMarker.complete(1, 1).encode();
        b[1] = 'x';
        assertThrows(IllegalStateException.class, () -> PreservedMarker.decode(b));
        byte[] cut = Arrays.copyOf(
                PreservedMarker.staged(1, 1)
                        .withSuccessor(new Identity(1, 1, 1, 1, 1))
                        .encode(),
                30);
        assertThrows(IllegalStateException.class, () -> PreservedMarker.decode(cut));
    }
}
