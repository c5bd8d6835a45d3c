package io.txfs.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.txfs.core.model.AttributeChange;
import io.txfs.core.model.Caller;
import io.txfs.core.model.Isolation;
import io.txfs.core.store.MemoryStore;
import io.txfs.core.tree.View;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ViewDiffTest {
    @TempDir
    Path backing;

    @TempDir
    Path scratch;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void textChangesAreUnifiedDiffsAndBinaryOnesASummary() throws Exception {
        Files.writeString(backing.resolve("a.txt"), "one\ntwo\nthree\n");
        Files.writeString(backing.resolve("gone.txt"), "bye\n");
        try (Engine e = Engine.open(EngineConfig.memory(backing, new MemoryStore()))) {
            View v = e.createView("v", Isolation.SNAPSHOT, 0);
            long a = e.resolve(v, "/a.txt");
            e.setattr(v, a, AttributeChange.size(0));
            e.write(v, a, 0, b("one\n2\nthree\n"));
            long n = e.create(v, Engine.ROOT, b("new.txt"), 0644, Caller.ROOT).ino();
            e.write(v, n, 0, b("hello\n"));
            long bin = e.create(v, Engine.ROOT, b("blob"), 0755, Caller.ROOT).ino();
            e.write(v, bin, 0, new byte[] {1, 0, 2});
            e.unlink(v, Engine.ROOT, b("gone.txt"));

            String diff = ViewDiff.unified(e, v);
            assertTrue(diff.contains("""
                    diff --txfs a/a.txt b/a.txt
                    --- a/a.txt
                    +++ b/a.txt
                    @@ -1,3 +1,3 @@
                     one
                    -two
                    +2
                     three
                    """), diff);
            assertTrue(diff.contains("""
                    diff --txfs a/new.txt b/new.txt
                    new file mode 100644
                    --- /dev/null
                    +++ b/new.txt
                    @@ -0,0 +1 @@
                    +hello
                    """), diff);
            assertTrue(diff.contains("""
                    diff --txfs a/blob b/blob
                    new file mode 100755
                    Binary files /dev/null and b/blob differ (0 -> 3 bytes)
                    """), diff);
            assertTrue(diff.contains("""
                    diff --txfs a/gone.txt b/gone.txt
                    deleted file mode 100644
                    --- a/gone.txt
                    +++ /dev/null
                    @@ -1 +0,0 @@
                    -bye
                    """), diff);
            assertEquals("", ViewDiff.unified(e, e.createView("empty", Isolation.SNAPSHOT, 0)));
            // the same text through GNU diff, where it is installed, gives the same hunks
            Path old = Files.writeString(scratch.resolve("old.txt"), "one\ntwo\nthree\n");
            Path now = Files.writeString(scratch.resolve("now.txt"), "one\n2\nthree\n");
            Process p = new ProcessBuilder("diff", "-u", old.toString(), now.toString()).start();
            String gnu = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(1, p.waitFor(), "diff -u exits 1 when files differ");
            assertTrue(diff.contains(gnu.substring(gnu.indexOf("@@"))), gnu);
        }
    }

    @Test
    void anotherUserSeesNoContentOfFilesTheyCannotRead() throws Exception {
        Path secret = Files.writeString(backing.resolve("secret"), "root only\n");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        Files.writeString(backing.resolve("open"), "anyone\n");
        try (Engine e = Engine.open(EngineConfig.memory(backing, new MemoryStore()))) {
            View v = e.createView("v", Isolation.SNAPSHOT, 1000);
            e.unlink(v, Engine.ROOT, b("secret"));
            e.unlink(v, Engine.ROOT, b("open"));
            String asUser = ViewDiff.unified(e, v, new Caller(1000, 1000));
            assertTrue(!asUser.contains("root only"), asUser);
            assertTrue(asUser.contains("Binary files a/secret and /dev/null differ"), asUser);
            assertTrue(asUser.contains("-anyone"), asUser);
            assertTrue(ViewDiff.unified(e, v).contains("-root only"), "root sees everything");
        }
    }

    @Test
    void theBaseIsTheSnapshotNotANewerPublish() throws Exception {
        Files.writeString(backing.resolve("f"), "base\n");
        try (Engine e = Engine.open(EngineConfig.memory(backing, new MemoryStore()))) {
            View v = e.createView("v", Isolation.SNAPSHOT, 0);
            View other = e.createView("other", Isolation.SNAPSHOT, 0);
            long f = e.resolve(other, "/f");
            e.write(other, f, 0, b("OTHER\n"));
            e.publish(other, false);
            long mine = e.resolve(v, "/f");
            e.write(v, mine, 4, b("!\n"));
            String diff = ViewDiff.unified(e, v);
            assertTrue(diff.contains("-base\n+base!\n"), diff);
        }
    }

    /** Names are bytes: the pending delta keeps them exactly, and the diff's headers quote them as git does. */
    @Test
    void namesThatAreNotUtf8OrHoldNewlinesAreExactAndQuoted() throws Exception {
        try (Engine e = Engine.open(EngineConfig.memory(backing, new MemoryStore()))) {
            View v = e.createView("v", Isolation.SNAPSHOT, 0);
            byte[] bad = {'x', (byte) 0xff, 'y'};
            byte[] bad2 = {'x', (byte) 0xfe, 'y'};
            long f = e.create(v, Engine.ROOT, bad, 0644, Caller.ROOT).ino();
            e.write(v, f, 0, b("one\n"));
            e.create(v, Engine.ROOT, bad2, 0644, Caller.ROOT);
            long nl =
                    e.create(v, Engine.ROOT, b("new\nline"), 0644, Caller.ROOT).ino();
            e.write(v, nl, 0, b("two\n"));
            var delta = e.pendingDelta(v);
            assertEquals(3, delta.size(), delta.toString()); // two names that both decode to x\uFFFDy stay two
            assertArrayEquals(b("new\nline"), delta.get(0).pathBytes());
            assertArrayEquals(bad2, delta.get(1).pathBytes());
            assertArrayEquals(bad, delta.get(2).pathBytes());
            String diff = ViewDiff.unified(e, v);
            assertTrue(diff.contains("diff --txfs \"a/x\\377y\" \"b/x\\377y\"\nnew file mode 100644\n"), diff);
            assertTrue(diff.contains("+++ \"b/x\\377y\"\n@@ -0,0 +1 @@\n+one\n"), diff);
            assertTrue(diff.contains("diff --txfs \"a/new\\nline\" \"b/new\\nline\"\n"), diff);
            assertTrue(diff.contains("+++ \"b/new\\nline\"\n@@ -0,0 +1 @@\n+two\n"), diff);
        }
    }
}
