package io.txfs.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The daemon's JVM options with the user's TXFS_DAEMON_JAVA_OPTS after them. */
class DaemonJvmTest {
    @Test
    void withoutUserOptionsTheBudgetAndG1() {
        assertEquals(DaemonJvm.OPTIONS, DaemonJvm.options(null));
        assertEquals(DaemonJvm.OPTIONS, DaemonJvm.options("  "));
        assertTrue(DaemonJvm.options(null).contains("-Xmx192m"));
        assertTrue(DaemonJvm.options(null).contains("-XX:+UseG1GC"));
    }

    @Test
    void userOptionsComeLastSoTheyWin() {
        List<String> o = DaemonJvm.options("-Xmx256m  -Dtxfs.rocksdb.cache-mib=64");
        assertEquals(List.of("-Xmx256m", "-Dtxfs.rocksdb.cache-mib=64"), o.subList(o.size() - 2, o.size()));
        assertTrue(o.indexOf("-Xmx192m") < o.indexOf("-Xmx256m"));
    }

    @Test
    void anotherCollectorReplacesG1InsteadOfStoppingTheJvm() {
        List<String> o = DaemonJvm.options("-XX:+UseSerialGC");
        assertFalse(o.contains("-XX:+UseG1GC"), o.toString());
        assertFalse(o.stream().anyMatch(x -> x.startsWith("-XX:G1")), o.toString());
        assertTrue(o.contains("-XX:+UseSerialGC") && o.contains("-Xmx192m"), o.toString());
    }

    @Test
    void aForegroundDaemonResizesOnlyAJvmNobodySized() {
        assertTrue(DaemonJvm.shouldResize(null, List.of()));
        assertTrue(DaemonJvm.shouldResize(null, List.of("-Dtxfs.test.x=1")));
        assertFalse(DaemonJvm.shouldResize("true", List.of()), "re-executed already");
        assertFalse(DaemonJvm.shouldResize(null, List.of("-Xmx1g")), "its starter chose the heap");
        assertFalse(DaemonJvm.shouldResize(null, List.of("-XX:MaxRAMPercentage=10")));
        assertTrue(
                DaemonJvm.OPTIONS.contains("-D" + DaemonJvm.SIZED_PROPERTY + "=true"),
                "the detached daemon's JVM says it is sized, so it does not re-execute itself");
    }

    @Test
    void theStartersCollectorReplacesG1() {
        List<String> o = DaemonJvm.optionsWith(List.of("-XX:+UseSerialGC", "-Dx=1"));
        assertFalse(o.contains("-XX:+UseG1GC"), o.toString());
        assertTrue(o.indexOf("-Xmx192m") < o.indexOf("-Dx=1"));
    }
}
