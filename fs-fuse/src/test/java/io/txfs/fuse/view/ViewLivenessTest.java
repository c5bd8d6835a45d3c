package io.txfs.fuse.view;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.api.Test;

class ViewLivenessTest {
    @Test
    void aViewIsLiveWhenTheDaemonWouldRouteARunningProcessToIt() {
        ViewLiveness l = new ViewLiveness(Set.of("build"), Set.of(42), false);
        assertTrue(l.live("build"), "a registered running process entered it");
        assertFalse(l.live("old"), "nobody is in it");
        assertTrue(l.live("session-42"), "its session has a process");
        assertFalse(l.live("session-43"), "its session ended");
        assertFalse(l.live("session-x"), "not a session id");
        assertFalse(l.live("shared"), "under the session default, 'shared' is a view like others");
        assertTrue(new ViewLiveness(Set.of(), Set.of(), true).live("shared"), "the shared default is everyone's");
    }
}
