package io.txfs.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ViewSpecTest {
    @Test
    void theDefaultsSayNothingButTheName() {
        assertEquals("begin toplevel view=build", ViewSpec.named("build").beginLine());
    }

    @Test
    void everyOptionIsOneWord() {
        ViewSpec s = ViewSpec.named("b.1")
                .isolation(Isolation.READ_COMMITTED)
                .fsyncs(false)
                .mtimeClamp(1_700_000_000L)
                .pathInodes()
                .trace();
        assertEquals(
                "begin toplevel view=b.1 isolation=read-committed durability=none mtime_clamp=1700000000"
                        + " inodes=path trace",
                s.beginLine());
        assertEquals("begin toplevel view=b.1", ViewSpec.named("b.1").beginLine(), "specs are immutable");
    }

    @Test
    void badNamesAndClampsAreRefusedAtOnce() {
        assertThrows(IllegalArgumentException.class, () -> ViewSpec.named("two words"));
        assertThrows(IllegalArgumentException.class, () -> ViewSpec.named(null));
        assertThrows(IllegalArgumentException.class, () -> ViewSpec.named("v").mtimeClamp(-1));
    }

    @Test
    void aStepKeepsItsOptionsAndRefusesWhatCannotRun() {
        Step s = Step.of("v", "make", "all")
                .workingDirectory(Path.of("/m/src"))
                .environment("A", "1")
                .inheritIo();
        assertEquals(List.of("make", "all"), s.command());
        assertEquals(Path.of("/m/src"), s.workingDirectory().orElseThrow());
        assertEquals(Map.of("A", "1"), s.environment());
        assertEquals(true, s.inheritsIo());
        assertEquals(false, Step.of("v", "make").inheritsIo());
        assertThrows(IllegalArgumentException.class, () -> Step.of("v", List.of()));
        assertThrows(IllegalArgumentException.class, () -> Step.of("v", "make").workingDirectory(Path.of("rel")));
        assertThrows(IllegalArgumentException.class, () -> Step.of("a b", "make"));
    }
}
