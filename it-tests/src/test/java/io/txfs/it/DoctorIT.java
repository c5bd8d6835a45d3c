package io.txfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code txfs doctor} finds a mount left dead by a killed daemon and gives the fix (issue 18, point 5). */
final class DoctorIT {
    @RegisterExtension
    static final MountFixture MOUNT = MountFixture.views();

    private static List<JsonNode> findingsAbout(String mnt) throws IOException {
        ProcessRun doctor = MOUNT.txfs("doctor", "--json");
        JsonNode r = ViewAgent.JSON.readTree(doctor.stdout());
        assertEquals(
                r.path("ok").asBoolean() ? 0 : 1,
                doctor.exitCode(),
                "the exit status follows ok\n" + doctor.describe());
        List<JsonNode> about = new ArrayList<>();
        for (JsonNode f : r.path("findings")) if (f.path("check").asText().contains(mnt)) about.add(f);
        return about;
    }

    @Test
    void aDeadMountIsFoundWithItsFix() throws IOException {
        String mnt = MOUNT.mountpoint().toString();
        assertTrue(findingsAbout(mnt).isEmpty(), "a live mount is no problem");
        MOUNT.stopDaemon(true);
        List<JsonNode> dead = findingsAbout(mnt);
        assertEquals(1, dead.size(), "the dead mount is one finding: " + dead);
        assertEquals("fail", dead.get(0).path("level").asText(), dead.toString());
        assertEquals(
                "txfs unmount " + mnt + " (or txfs mount again with the same state directory)",
                dead.get(0).path("fix").asText());
        ProcessRun unmount = MOUNT.txfs("unmount", mnt);
        assertEquals(0, unmount.exitCode(), unmount.describe());
        assertTrue(findingsAbout(mnt).isEmpty(), "cleared, as the fix says");
    }
}
