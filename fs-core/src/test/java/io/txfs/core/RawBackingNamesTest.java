package io.txfs.core;

import static io.txfs.core.TestFs.b;
import static io.txfs.core.TestFs.onDisk;
import static io.txfs.core.TestFs.raw;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.txfs.core.model.Caller;
import io.txfs.core.model.DirEntry;
import io.txfs.core.model.Isolation;
import io.txfs.core.store.MemoryStore;
import io.txfs.core.tree.View;
import io.txfs.sys.LibC;
import io.txfs.sys.RawPaths;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Backing names that are not valid UTF-8 (bytes 0x80-0xff alone or in broken sequences) are listed,
 * read, changed in a view, published and flushed back with exactly their bytes, on both stores.
 * Names are written one char per byte ("\u00ff" is the byte 0xff).
 */
class RawBackingNamesTest {
    private static final String DIR = "dir\u0080\u00ff";
    private static final String FILE = "f\u00c3(.bin";
    private static final String LINK = "l\u00fe";
    private static final String TARGET = "t\u00e9//x/";

    @TempDir
    Path tmp;

    private MemoryStore memory;

    private Engine open(String store, Path backing) {
        if (store.equals("rocks")) return Engine.open(EngineConfig.rocks(backing, tmp.resolve("state")));
        memory = memory == null ? new MemoryStore() : memory.reopened();
        return Engine.open(EngineConfig.memory(backing, memory));
    }

    private static List<String> names(Engine e, View v, long dir) {
        List<String> out = new ArrayList<>();
        for (DirEntry d : e.readdir(v, dir)) out.add(new String(d.name(), StandardCharsets.ISO_8859_1));
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "rocks"})
    void nonUtf8NamesRoundTripThroughViewsPublishAndFlush(String store) throws Exception {
        Path backing = Files.createDirectories(tmp.resolve("backing"));
        Files.createDirectories(onDisk(backing, DIR));
        Files.writeString(onDisk(backing, DIR + "/" + FILE), "original");
        Files.writeString(onDisk(backing, "plain"), "p");
        byte[] c = RawPaths.cString(RawPaths.absolute(onDisk(backing, LINK)));
        assertEquals(0, LibC.INSTANCE.symlink(RawPaths.cString(raw(TARGET)), c), "symlink with a raw target");

        Engine e = open(store, backing);
        try {
            TestFs a = new TestFs(e, e.createView("a", Isolation.SNAPSHOT, 0));
            TestFs old = new TestFs(e, e.createView("old", Isolation.SNAPSHOT, 0));
            assertEquals(List.of(DIR, LINK, "plain"), names(e, a.view, Engine.ROOT));
            assertEquals(List.of(FILE), names(e, a.view, a.rawIno(DIR)));
            assertEquals(
                    "original",
                    new String(a.engine.read(a.view, a.rawIno(DIR + "/" + FILE), 0, 100), StandardCharsets.UTF_8));
            assertArrayEquals(raw(TARGET), e.readlink(a.view, a.rawIno(LINK)));
            assertEquals(Trees.ofDisk(backing), Trees.ofView(e, a.view), "the view lists the backing tree exactly");
            old.read("plain"); // old's snapshot is taken before anything changes

            long f = a.rawIno(DIR + "/" + FILE);
            e.write(a.view, f, 0, b("CHANGED!"));
            e.setxattr(a.view, f, "user.k", b("v"), 0);
            long made = e.create(a.view, a.rawIno(DIR), raw("new\u00fa"), 0640, Caller.ROOT)
                    .ino();
            e.write(a.view, made, 0, b("made"));
            e.mkdir(a.view, Engine.ROOT, raw("sub\u00a0\u00a0"), 0755, Caller.ROOT);
            e.rename(a.view, a.rawIno(DIR), raw(FILE), a.rawIno("sub\u00a0\u00a0"), raw("moved\u00ff"), 0);
            e.symlink(a.view, a.rawIno(DIR), raw("ln\u0081"), raw("\u0081\u0082"), Caller.ROOT);
            e.publish(a.view, false);
            e.flush();

            TreeMap<String, String> want = Trees.ofView(e, e.published());
            assertEquals("f:CHANGED!", want.get("sub\u00a0\u00a0/moved\u00ff"));
            assertEquals("f:made", want.get(DIR + "/new\u00fa"));
            assertEquals("l:\u0081\u0082", want.get(DIR + "/ln\u0081"));
            assertEquals(want, Trees.ofDisk(backing), "flush wrote exactly the published names");
            assertEquals("CHANGED!", Files.readString(onDisk(backing, "sub\u00a0\u00a0/moved\u00ff")));
            assertFalse(Files.exists(onDisk(backing, DIR + "/" + FILE)));
            assertTrue(Files.getPosixFilePermissions(onDisk(backing, DIR + "/new\u00fa"))
                    .toString()
                    .contains("GROUP_READ"));
            if (Files.getFileStore(backing).supportsFileAttributeView("user")) {
                var xv = Files.getFileAttributeView(
                        onDisk(backing, "sub\u00a0\u00a0/moved\u00ff"), UserDefinedFileAttributeView.class);
                assertEquals(List.of("k"), xv.list(), "user xattrs reach a file with a raw name");
            }
            assertEquals(
                    "original",
                    new String(e.read(old.view, old.rawIno(DIR + "/" + FILE), 0, 100), StandardCharsets.UTF_8),
                    "an older snapshot still reads the content the flush replaced");

            // A second flush patches the file under its raw name in place.
            TestFs a2 = new TestFs(e, e.view("a"));
            e.write(a2.view, a2.rawIno("sub\u00a0\u00a0/moved\u00ff"), 8, b("+more"));
            e.publish(a2.view, false);
            e.flush();
            assertEquals("CHANGED!+more", Files.readString(onDisk(backing, "sub\u00a0\u00a0/moved\u00ff")));
        } finally {
            e.close();
        }
        e = open(store, backing);
        try {
            assertEquals(Trees.ofDisk(backing), Trees.ofView(e, e.published()), "after restart");
            TestFs a = new TestFs(e, e.view("a"));
            assertEquals(
                    "CHANGED!+more",
                    new String(
                            e.read(a.view, a.rawIno("sub\u00a0\u00a0/moved\u00ff"), 0, 100), StandardCharsets.UTF_8));
        } finally {
            e.close();
        }
    }
}
