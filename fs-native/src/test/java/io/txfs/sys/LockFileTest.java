package io.txfs.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LockFileTest {
    @TempDir
    Path dir;

    @Test
    void oneHolderAtATimeInThisProcess() throws IOException {
        Path f = dir.resolve("lock");
        LockFile first = LockFile.tryLock(f);
        assertNotNull(first, "a free file is locked");
        assertTrue(Files.exists(f), "the lock file is created");
        assertNull(LockFile.tryLock(f), "a second holder in the same process is refused, not an exception");
        first.close();
        try (LockFile again = LockFile.tryLock(f)) {
            assertNotNull(again, "free again once closed");
        }
    }

    /** Another process (a Java child that holds the lock and waits) is a holder too, until it dies. */
    @Test
    void anotherProcessHoldsItUntilItDies() throws Exception {
        Path f = dir.resolve("lock");
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(
                        java, "-cp", System.getProperty("java.class.path"), Holder.class.getName(), f.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            assertEquals("locked", out.readLine(), "the child took the lock");
            assertNull(LockFile.tryLock(f), "held by the child");
            p.destroyForcibly().waitFor();
            try (LockFile after = LockFile.tryLock(f)) {
                assertNotNull(after, "the kernel dropped the child's lock when it was killed");
            }
        } finally {
            p.destroyForcibly();
        }
    }

    /** The child: locks its argument, says so, and waits for its stdin to close (or to be killed). */
    public static final class Holder {
        public static void main(String[] args) throws IOException {
            LockFile l = LockFile.tryLock(Path.of(args[0]));
            System.out.println(l == null ? "busy" : "locked");
            System.out.flush();
            System.in.read();
        }
    }
}
