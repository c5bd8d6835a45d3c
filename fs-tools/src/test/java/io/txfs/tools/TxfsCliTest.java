package io.txfs.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.txfs.sys.LockFile;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TxfsCliTest {
    @TempDir
    Path tmp;

    private record Run(int status, String out, String err) {}

    private static Run run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int status = Txfs.execute(args);
            return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void versionGoesToStdoutWithTheBuildVersion() {
        Run r = run("--version");
        assertEquals(0, r.status);
        assertTrue(r.out.startsWith("txfs "), r.out);
        assertFalse(r.out.contains("${"), "version was not filtered at build time: " + r.out);
    }

    @Test
    void noCommandIsAUsageError() {
        assertEquals(2, run().status);
    }

    @Test
    void unknownOptionIsAUsageError() {
        Run r = run("mount", "--no-such-option", "a", "b");
        assertEquals(2, r.status);
        assertTrue(r.err.contains("--no-such-option"), r.err);
    }

    @Test
    void missingBackingDirectoryFailsWithOneClearLine() {
        Path mnt = tmp.resolve("mnt");
        Run r = run(
                "mount",
                "--state",
                tmp.resolve("state").toString(),
                tmp.resolve("nope").toString(),
                mnt.toString());
        assertEquals(1, r.status);
        assertTrue(r.err.contains("backing directory") && r.err.contains("does not exist"), r.err);
    }

    @Test
    void nonEmptyMountpointIsRefused() throws Exception {
        Path backing = Files.createDirectory(tmp.resolve("b"));
        Path mnt = Files.createDirectory(tmp.resolve("m"));
        Files.writeString(mnt.resolve("file"), "x");
        Run r = run("mount", "--state", tmp.resolve("state").toString(), backing.toString(), mnt.toString());
        assertEquals(1, r.status);
        assertTrue(r.err.contains("not empty"), r.err);
        assertTrue(Files.exists(mnt.resolve("file")), "the mountpoint's content must be untouched");
    }

    @Test
    void stateDirectoryInsideBackingIsRefused() throws Exception {
        Path backing = Files.createDirectory(tmp.resolve("b"));
        Path mnt = Files.createDirectory(tmp.resolve("m"));
        Run r = run("mount", "--state", backing.resolve("st").toString(), backing.toString(), mnt.toString());
        assertEquals(1, r.status);
        assertTrue(r.err.contains("outside the backing directory"), r.err);
        assertFalse(Files.exists(backing.resolve("st")));
    }

    @Test
    void stateDirectoryIsCreatedPrivateAndLockedByOneDaemon() throws Exception {
        StateDirectory sd = StateDirectory.forMount(tmp.resolve("a/state"), tmp);
        sd.create();
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(sd.path())));
        try (LockFile first = sd.lock()) {
            UserFacingException e = assertThrows(UserFacingException.class, sd::lock);
            assertTrue(e.getMessage().contains("in use"), e.getMessage());
        }
        sd.lock().close();
    }

    @Test
    void defaultStateDirectoryDependsOnTheMountpoint() {
        Path a = StateDirectory.forMount(null, Path.of("/mnt/a")).path();
        Path b = StateDirectory.forMount(null, Path.of("/mnt/b")).path();
        assertFalse(a.equals(b));
        assertEquals(a, StateDirectory.forMount(null, Path.of("/mnt/a")).path());
    }
}
