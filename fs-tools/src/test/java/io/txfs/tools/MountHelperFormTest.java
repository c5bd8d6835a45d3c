package io.txfs.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** mount.fuse3's form becomes txfs mount: txfs's words to options, mount(8)'s words dropped, the rest to -o. */
final class MountHelperFormTest {
    private static final Set<String> COMMANDS = Set.of("mount", "status", "help");

    @Test
    void fstabOptionsBecomeMountArguments(@TempDir Path backing) {
        Optional<List<String>> t = MountHelperForm.translate(
                new String[] {
                    backing.toString(),
                    "/mnt/x",
                    "-o",
                    "rw,nofail,noauto,x-systemd.automount,state=/var/lib/txfs/x,default_view=shared,allow_other,adopt,dev,suid"
                },
                COMMANDS);
        assertEquals(
                List.of(
                        "mount",
                        "--state",
                        "/var/lib/txfs/x",
                        "--default-view",
                        "shared",
                        "--adopt",
                        "-o",
                        "allow_other",
                        backing.toString(),
                        "/mnt/x"),
                t.orElseThrow());
        assertEquals(
                List.of("mount", backing.toString(), "/mnt/x"),
                MountHelperForm.translate(new String[] {backing.toString(), "/mnt/x"}, COMMANDS)
                        .orElseThrow());
    }

    @Test
    void commandsAndNonDirectoriesAreNotTheHelperForm(@TempDir Path backing) {
        assertTrue(MountHelperForm.translate(new String[] {"status", "v"}, COMMANDS)
                .isEmpty());
        assertTrue(MountHelperForm.translate(new String[] {"/no/such/dir", "/mnt"}, COMMANDS)
                .isEmpty());
        assertTrue(MountHelperForm.translate(new String[] {backing.toString()}, COMMANDS)
                .isEmpty());
    }

    @Test
    void readOnlyAndStrayArgumentsAreRefused(@TempDir Path backing) {
        assertThrows(
                UserFacingException.class,
                () -> MountHelperForm.translate(new String[] {backing.toString(), "/m", "-o", "ro"}, COMMANDS));
        assertThrows(
                UserFacingException.class,
                () -> MountHelperForm.translate(new String[] {backing.toString(), "/m", "-f"}, COMMANDS));
        assertThrows(
                UserFacingException.class,
                () -> MountHelperForm.translate(new String[] {backing.toString(), "/m", "-o", "state"}, COMMANDS));
    }
}
