package io.txfs.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MountOptionsTest {
    @Test
    void defaults() {
        MountOptions o = MountOptions.defaults();
        assertEquals(2, o.readerThreads());
        assertTrue(o.allowOther());
        assertFalse(o.defaultPermissions());
        assertEquals("txfs", o.subtype());
        assertFalse(o.writebackCache());
    }

    @Test
    void parsesKnownOptions() {
        MountOptions o = MountOptions.parse("default_permissions,readers=4,fsname=foo, writeback_cache,noallow_other")
                .build();
        assertTrue(o.defaultPermissions());
        assertEquals(4, o.readerThreads());
        assertEquals("foo", o.fsName());
        assertTrue(o.writebackCache());
        assertFalse(o.allowOther());
        assertEquals(3, MountOptions.parse("").readerThreads(3).build().readerThreads());
    }

    @Test
    void rejectsUnknownOrMalformedOptions() {
        assertThrows(IllegalArgumentException.class, () -> MountOptions.parse("bogus"));
        assertThrows(IllegalArgumentException.class, () -> MountOptions.parse("readers=x"));
        assertThrows(IllegalArgumentException.class, () -> MountOptions.parse("readers=0"));
        assertThrows(IllegalArgumentException.class, () -> MountOptions.parse("fsname="));
        assertThrows(IllegalArgumentException.class, () -> MountOptions.parse("allow_other=1"));
    }
}
