package io.txfs.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.txfs.core.model.AttributeChange;
import io.txfs.core.model.Caller;
import io.txfs.core.model.Isolation;
import io.txfs.core.model.PublishConflictException;
import io.txfs.core.store.MemoryStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Identical outputs publish (docs/reproducibility.md): two views that end with the same entry at a path
 * both publish; any difference in type, permissions, owner, bytes, target or names is still a conflict.
 */
class IdenticalOutputsTest {
    @TempDir
    Path backing;

    Engine engine;
    TestFs first;
    TestFs second;

    @BeforeEach
    void setUp() throws Exception {
        Files.createDirectories(backing.resolve("out"));
        Files.writeString(backing.resolve("src.c"), "int main;\n");
        Files.writeString(backing.resolve("old.o"), "old object");
        engine = Engine.open(EngineConfig.memory(backing, new MemoryStore()));
        first = new TestFs(engine, engine.createView("first", Isolation.SNAPSHOT, 0));
        second = new TestFs(engine, engine.createView("second", Isolation.SNAPSHOT, 0));
    }

    @AfterEach
    void tearDown() {
        engine.close();
    }

    private void publishBoth() {
        engine.publish(first.view, false);
        engine.publish(second.view, false);
    }

    private TestFs published() {
        return new TestFs(engine, engine.published());
    }

    @Test
    void theSameNewFileFromTwoViewsPublishesTwiceAndKeepsTheFirstInode() throws Exception {
        byte[] object = new byte[3 * Engine.CHUNK + 17]; // several chunks: compared slice by slice
        new Random(7).nextBytes(object);
        first.write("out/a.o", object);
        second.write("out/a.o", object);
        second.write("out/b.o", "only the second made this");
        long firstIno = first.ino("out/a.o");

        publishBoth();

        TestFs p = published();
        assertTrue(Arrays.equals(object, p.readBytes("out/a.o")));
        assertEquals(firstIno, p.ino("out/a.o"), "the first publisher's file stays");
        assertEquals("only the second made this", p.read("out/b.o"), "the rest of the second view publishes");
        assertEquals(List.of(), LinkCheck.errors(engine), "every node's names match the entries");
        assertTrue(engine.pendingDelta(second.view).isEmpty(), "nothing left pending in the second view");
        assertTrue(Arrays.equals(object, second.readBytes("out/a.o")), "the second view reads the file still");

        engine.flush();
        assertTrue(Arrays.equals(object, Files.readAllBytes(backing.resolve("out/a.o"))));
    }

    @Test
    void differentBytesStillConflict() {
        first.write("out/a.o", "object one");
        second.write("out/a.o", "object two");
        engine.publish(first.view, false);
        PublishConflictException e =
                assertThrows(PublishConflictException.class, () -> engine.publish(second.view, false));
        assertEquals(List.of("/out/a.o"), e.paths());
    }

    @Test
    void sameBytesWithAnotherModeStillConflict() {
        first.write("out/tool", "#!/bin/sh\n");
        second.write("out/tool", "#!/bin/sh\n");
        engine.setattr(second.view, second.ino("out/tool"), AttributeChange.perm(0755));
        engine.publish(first.view, false);
        assertThrows(PublishConflictException.class, () -> engine.publish(second.view, false));
    }

    @Test
    void aFileAgainstASymlinkOrADirectoryStillConflicts() {
        first.write("out/x", "target");
        engine.symlink(second.view, second.ino("out"), TestFs.b("x"), TestFs.b("target"), Caller.ROOT);
        engine.publish(first.view, false);
        assertThrows(PublishConflictException.class, () -> engine.publish(second.view, false));
    }

    @Test
    void theSameSymlinkPublishesTwice() {
        engine.symlink(first.view, first.ino("out"), TestFs.b("latest"), TestFs.b("a.o"), Caller.ROOT);
        engine.symlink(second.view, second.ino("out"), TestFs.b("latest"), TestFs.b("a.o"), Caller.ROOT);
        publishBoth();
        assertEquals(
                "a.o",
                new String(engine.readlink(engine.published(), published().ino("out/latest"))));
        assertEquals(List.of(), LinkCheck.errors(engine));
    }

    @Test
    void removingTheSameFileTwiceIsNoConflict() throws Exception {
        first.rm("old.o");
        second.rm("old.o");
        publishBoth();
        assertFalse(published().exists("old.o"));
        engine.flush();
        assertFalse(Files.exists(backing.resolve("old.o")));
    }

    @Test
    void rewritingAnExistingFileToTheSameBytesIsNoConflict() {
        first.write("src.c", "int main(void) { return 0; }\n");
        second.write("src.c", "int main(void) { return 0; }\n");
        publishBoth();
        assertEquals("int main(void) { return 0; }\n", published().read("src.c"));
        second.write("src.c", "changed again by the second");
        first.write("src.c", "and by the first");
        engine.publish(second.view, false);
        assertThrows(PublishConflictException.class, () -> engine.publish(first.view, false), "different again");
    }

    @Test
    void theSameNewDirectoryStillConflicts() {
        first.mkdir("out/gen");
        second.mkdir("out/gen");
        engine.publish(first.view, false);
        PublishConflictException e =
                assertThrows(PublishConflictException.class, () -> engine.publish(second.view, false));
        assertEquals(List.of("/out/gen"), e.paths(), "each view's directory is its own node: publish force merges");
    }

    @Test
    void aFileWithASecondNameIsMoreThanItsPath() {
        first.write("out/a.o", "same");
        second.write("out/a.o", "same");
        engine.link(second.view, second.ino("out/a.o"), second.ino("out"), TestFs.b("alias.o"));
        engine.publish(first.view, false);
        assertThrows(PublishConflictException.class, () -> engine.publish(second.view, false));
    }
}
