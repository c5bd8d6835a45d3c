package io.txfs.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.txfs.core.model.AttributeChange;
import io.txfs.core.model.Isolation;
import io.txfs.core.tree.View;
import io.txfs.core.tree.ViewOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A view's mtime clamp (docs/reproducibility.md, "Deterministic metadata"): every modification time the
 * view gives a file — create, write, truncate, a directory's entries, an explicit utimensat — is no later
 * than the clamp; times already earlier stay; a restart and a flush keep the clamped times.
 */
class MtimeClampTest {
    private static final long EPOCH_S = 1_700_000_000L;
    private static final long CLAMP = EPOCH_S * 1_000_000_000L;

    @TempDir
    Path dir;

    Path backing;
    Engine engine;

    @BeforeEach
    void setUp() throws Exception {
        backing = Files.createDirectories(dir.resolve("backing"));
        Files.createDirectories(backing.resolve("src"));
        Files.writeString(backing.resolve("src/old.c"), "old");
        Files.setLastModifiedTime(backing.resolve("src/old.c"), FileTime.fromMillis(1_000_000_000_000L));
        engine = Engine.open(EngineConfig.rocks(backing, dir.resolve("state")));
    }

    @AfterEach
    void tearDown() {
        engine.close();
    }

    @Test
    void everyTimeTheViewGivesIsClamped() throws Exception {
        View v = engine.createView("clamped", Isolation.SNAPSHOT, 0, ViewOptions.DEFAULT.withMtimeClamp(CLAMP));
        TestFs fs = new TestFs(engine, v);
        fs.write("src/new.o", "object");
        fs.mkdir("gen");
        fs.write("gen/x", "x");
        fs.write("src/old.c", "changed");
        engine.setattr(v, fs.ino("src/new.o"), AttributeChange.times(null, (EPOCH_S + 5000) * 1_000_000_000L));
        for (String p : new String[] {"src/new.o", "gen", "gen/x", "src/old.c", "src"}) {
            assertEquals(CLAMP, fs.stat(p).mtimeNs(), p + " (the clock is later than the clamp)");
        }
        long early = 1_500_000_000L * 1_000_000_000L;
        engine.setattr(v, fs.ino("gen/x"), AttributeChange.times(null, early));
        assertEquals(early, fs.stat("gen/x").mtimeNs(), "an earlier time stays");

        View plain = engine.createView("plain", Isolation.SNAPSHOT, 0);
        new TestFs(engine, plain).write("free", "f");
        assertTrue(new TestFs(engine, plain).stat("free").mtimeNs() > CLAMP, "another view is not clamped");

        engine.close();
        engine = Engine.open(EngineConfig.rocks(backing, dir.resolve("state")));
        View again = engine.view("clamped");
        assertEquals(CLAMP, again.mtimeClampNs, "the clamp is stored with the view");
        TestFs after = new TestFs(engine, again);
        after.write("late", "written after a restart");
        assertEquals(CLAMP, after.stat("late").mtimeNs());

        engine.publish(again, false);
        engine.flush();
        assertEquals(
                EPOCH_S * 1000,
                Files.getLastModifiedTime(backing.resolve("src/new.o")).toMillis());
        assertEquals(
                EPOCH_S * 1000,
                Files.getLastModifiedTime(backing.resolve("late")).toMillis());
    }

    @Test
    void aViewWithoutAClampIsStoredAsBefore() {
        View v = engine.createView("plain", Isolation.SNAPSHOT, 0);
        assertEquals(-1, v.mtimeClampNs);
        assertEquals(2, v.encode()[0], "format 2: a daemon without clamps still reads it");
        assertEquals(
                3,
                engine.createView("c", Isolation.SNAPSHOT, 0, ViewOptions.DEFAULT.withMtimeClamp(CLAMP))
                        .encode()[0]);
        assertEquals(CLAMP, View.decode("c", engine.view("c").encode()).mtimeClampNs);
    }
}
