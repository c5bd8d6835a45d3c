package io.txfs.fuse.view;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Inode numbers derived from paths: a function of the path alone, spread, positive, never 0 or the root's 1. */
class InodeNumbersTest {
    private static long of(String path) {
        return InodeNumbers.ofPath(path.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aPathHasOneNumberAndOtherPathsOthers() {
        assertEquals(of("out/a.o"), of("out/a.o"));
        assertNotEquals(of("out/a.o"), of("out/b.o"));
        assertNotEquals(of("out"), of("out/"));
        Set<Long> seen = new HashSet<>();
        for (int i = 0; i < 100_000; i++) {
            long n = of("dir" + (i % 97) + "/file" + i);
            assertTrue(n >= 2, "positive and never 0 or 1: " + n);
            seen.add(n);
        }
        assertEquals(100_000, seen.size(), "no collision among 100k paths");
    }

    @Test
    void rawNameBytesCount() {
        byte[] latin1 = {'f', (byte) 0xe9};
        byte[] utf8 = "fé".getBytes(StandardCharsets.UTF_8);
        assertNotEquals(InodeNumbers.ofPath(latin1), InodeNumbers.ofPath(utf8));
    }
}
