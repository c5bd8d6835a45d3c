package io.txfs.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class MountInfoTest {
    private static final List<String> LINES = List.of(
            "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw",
            "98 22 0:52 / /tmp/a\\040b\\134c rw,nosuid,nodev - fuse.txfs txfs rw,user_id=0,group_id=0",
            "99 22 0:53 / /tmp/a\\040b\\134c rw - tmpfs none rw",
            "not a mountinfo line",
            "100 22 0:54 /sub /mnt/x rw master:3 propagate_from:2 - fuse fusectl rw");

    @Test
    void fieldsAndEscapesAreRead() {
        List<MountInfo.Mount> m = MountInfo.parse(LINES);
        assertEquals(4, m.size(), "the malformed line is skipped");
        MountInfo.Mount txfs = m.get(1);
        assertEquals(98, txfs.id());
        assertEquals(22, txfs.parent());
        assertEquals(0, txfs.major());
        assertEquals(52, txfs.minor());
        assertEquals("/tmp/a b\\c", txfs.mountPoint());
        assertEquals("fuse.txfs", txfs.fsType());
        assertTrue(txfs.isFuse());
        MountInfo.Mount optional = m.get(3);
        assertEquals("/sub", optional.root());
        assertEquals("fuse", optional.fsType(), "optional fields before the dash are skipped");
        assertEquals("fusectl", optional.source());
        assertFalse(m.get(0).isFuse());
    }

    @Test
    void theLastMountAtAPathIsOnTop() {
        MountInfo.Mount top = MountInfo.topmostAt(MountInfo.parse(LINES), Path.of("/tmp/a b\\c"))
                .orElseThrow();
        assertEquals("tmpfs", top.fsType());
        assertTrue(
                MountInfo.topmostAt(MountInfo.parse(LINES), Path.of("/nowhere")).isEmpty());
    }

    @Test
    void aBackslashNotFollowedByThreeOctalDigitsStays() {
        assertEquals("a\\9b\\04", MountInfo.unescape("a\\9b\\04"));
        assertEquals("x\ny", MountInfo.unescape("x\\012y"));
    }
}
