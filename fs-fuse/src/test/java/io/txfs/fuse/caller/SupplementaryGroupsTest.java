package io.txfs.fuse.caller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

final class SupplementaryGroupsTest {
    @Test
    void theGroupsOfThisProcessAreWhatIdSays() throws Exception {
        Process id = new ProcessBuilder("id", "-G").redirectErrorStream(true).start();
        String out = new String(id.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertEquals(0, id.waitFor());
        Set<Integer> expected = new TreeSet<>();
        Arrays.stream(out.split("\\s+")).map(Integer::valueOf).forEach(expected::add);
        Set<Integer> got = new TreeSet<>();
        Arrays.stream(SupplementaryGroups.of((int) ProcessHandle.current().pid(), Integer.MAX_VALUE))
                .forEach(got::add);
        // id -G starts with the effective gid, which /proc lists only when it is also a supplementary group
        got.add(Integer.valueOf(out.split("\\s+")[0]));
        assertEquals(expected, got);
    }

    @Test
    void atMostMaxGroupsAreReturned() throws Exception {
        int[] all = SupplementaryGroups.of((int) ProcessHandle.current().pid(), Integer.MAX_VALUE);
        assertEquals(
                Math.min(all.length, 0),
                SupplementaryGroups.of((int) ProcessHandle.current().pid(), 0).length);
    }

    @Test
    void aProcessThatIsGoneIsAnIOException() {
        assertThrows(IOException.class, () -> SupplementaryGroups.of(Integer.MAX_VALUE, 16));
    }
}
