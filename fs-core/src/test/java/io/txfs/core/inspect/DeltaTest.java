package io.txfs.core.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.txfs.core.inspect.delta.ChangeKind;
import io.txfs.core.inspect.delta.Delta;
import io.txfs.core.inspect.delta.DeltaComputer;
import io.txfs.core.inspect.delta.DeltaEntry;
import io.txfs.core.inspect.delta.DeltaJson;
import io.txfs.core.inspect.dir.DirectoryTreeSink;
import io.txfs.core.inspect.dir.DirectoryTreeSource;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeltaTest {
    private static final DeltaComputer DIFF = new DeltaComputer(ObjectFormat.SHA256, false);

    private static MemoryTree base() {
        return new MemoryTree()
                .mkdir("src")
                .write("src/a.c", "int a;")
                .write("src/b.c", "int b;")
                .mkdir("old")
                .write("old/x", "x")
                .write("keep", "keep")
                .symlink("ln", "keep");
    }

    @Test
    void twoOperationOrdersReachingTheSameStateHaveTheSameDeltaId() throws IOException {
        MemoryTree a = base();
        MemoryTree b = base();
        MemoryTree run1 = a.snapshot();
        run1.write("src/a.c", "int a = 1;")
                .mkdir("new")
                .write("new/n", "n")
                .delete("old")
                .chmod("keep", 0755)
                .symlink("ln2", "src")
                .rename("src/b.c", "src/c.c");
        MemoryTree run2 = b.snapshot();
        run2.rename("src/b.c", "tmp")
                .mkdir("new")
                .chmod("keep", 0700)
                .delete("old/x")
                .symlink("ln2", "elsewhere")
                .write("new/scratch", "deleted later")
                .delete("old")
                .write("new/n", "n")
                .rename("tmp", "src/c.c")
                .chmod("keep", 0755)
                .write("src/a.c", "int a = 1;")
                .delete("new/scratch")
                .delete("ln2")
                .symlink("ln2", "src");
        Delta d1 = DIFF.compute(a, run1);
        Delta d2 = DIFF.compute(b, run2);
        assertEquals(
                new String(d1.canonicalBytes(), StandardCharsets.UTF_8),
                new String(d2.canonicalBytes(), StandardCharsets.UTF_8));
        assertEquals(d1.id(), d2.id());
        List<String> summary = new ArrayList<>();
        for (DeltaEntry e : d1.entries()) {
            summary.add(e.toString());
        }
        assertEquals(
                List.of(
                        "metadata file keep",
                        "added symlink ln2",
                        "added dir new",
                        "added file new/n",
                        "deleted dir old",
                        "modified file src/a.c",
                        "deleted file src/b.c",
                        "added file src/c.c"),
                summary);
    }

    @Test
    void differentResultsHaveDifferentDeltaIds() throws IOException {
        MemoryTree a = base();
        Delta d1 = DIFF.compute(a, a.snapshot().write("keep", "one"));
        Delta d2 = DIFF.compute(a, a.snapshot().write("keep", "two"));
        assertNotEquals(d1.id(), d2.id());
        assertTrue(DIFF.compute(a, a.snapshot()).isEmpty());
    }

    @Test
    void typeChangesAndMetadataOnlyChangesAreNamed() throws IOException {
        MemoryTree a = base();
        MemoryTree b = a.snapshot()
                .delete("old")
                .write("old", "now a file")
                .delete("keep")
                .mkdir("keep")
                .write("keep/inner", "i")
                .setXattr("src/a.c", "user.tag", new byte[] {(byte) 0xff});
        Delta d = DIFF.compute(a, b);
        assertEquals(ChangeKind.TYPE_CHANGED, find(d, "keep").change());
        assertEquals(ChangeKind.ADDED, find(d, "keep/inner").change());
        assertEquals(ChangeKind.TYPE_CHANGED, find(d, "old").change());
        assertEquals(ChangeKind.METADATA, find(d, "src/a.c").change());
        String json = new String(d.canonicalBytes(), StandardCharsets.UTF_8);
        assertTrue(json.contains("\"xattrs\":[[\"user.tag\",{\"base64\":\"/w==\"}]]"), json);
        assertTrue(
                json.startsWith(
                        "{\"path\":\"keep\",\"change\":\"type-changed\",\"type\":\"dir\",\"mode\":\"0755\",\"uid\":0,\"gid\":0}\n"),
                json);
    }

    @Test
    void mtimesOnlyWhenAsked() throws IOException {
        MemoryTree a = base();
        MemoryTree b = a.snapshot().touch("keep", 123);
        assertTrue(DIFF.compute(a, b).isEmpty());
        Delta withTimes = new DeltaComputer(ObjectFormat.SHA256, true).compute(a, b);
        assertEquals(1, withTimes.entries().size());
        assertEquals(123L, withTimes.entries().get(0).mtimeNanos());
    }

    @Test
    void jsonLinesRoundTripIncludingNonUtf8Paths(@TempDir Path tmp) throws IOException {
        Path before = Files.createDirectory(tmp.resolve("before"));
        Path after = Files.createDirectory(tmp.resolve("after"));
        DirectoryTreeSink sink = new DirectoryTreeSink(after);
        byte[] name = {'x', (byte) 0xc3, '(', '\n'};
        sink.writeFile(TreePath.ofBytes(name), GitCompatibilityTest.fileMeta(0600), new ByteArrayInputStream(name), 4);
        sink.makeSymlink(TreePath.of("l"), new byte[] {'t', (byte) 0x80}, GitCompatibilityTest.linkMeta());
        Delta d = DIFF.compute(new DirectoryTreeSource(before), new DirectoryTreeSource(after));
        String json = new String(d.canonicalBytes(), StandardCharsets.UTF_8);
        assertTrue(json.contains("\"path\":{\"base64\":\"eMMoCg==\"}"), json);
        assertTrue(json.contains("\"target\":{\"base64\":\"dIA=\"}"), json);
        Delta back = DeltaJson.read(new ByteArrayInputStream(d.canonicalBytes()), ObjectFormat.SHA256, false);
        assertEquals(d, back);
        assertEquals(d.id(), back.id());
    }

    @Test
    void equalVersionTokensSkipWholeSubtrees() throws IOException {
        MemoryTree a = new MemoryTree().mkdir("big");
        for (int i = 0; i < 50; i++) {
            a.write("big/f" + i, "x" + i);
        }
        MemoryTree b = a.snapshot().write("small", "s");
        CountingTreeSource cb = new CountingTreeSource(b);
        Delta d = DIFF.compute(new CountingTreeSource(a), cb);
        assertEquals(1, d.entries().size());
        assertTrue(cb.reads.stream().noneMatch(r -> r.contains("big/")), cb.reads.toString());
    }

    @Test
    void subtreeDeltasHaveRelativePathsAndHashLikeTheSubtree() throws IOException {
        MemoryTree a = base();
        MemoryTree b = a.snapshot().write("src/a.c", "changed").write("keep", "outside the subtree");
        Delta d = DIFF.compute(a, b, TreePath.of("src"));
        assertEquals(
                List.of(TreePath.of("a.c")),
                d.entries().stream().map(DeltaEntry::path).toList());
        TreeHasher h = new TreeHasher(TreeIdOptions.git(ObjectFormat.SHA1));
        assertEquals(h.hash(b, TreePath.of("src")), h.hash(b.subtree(TreePath.of("src")), TreePath.root()));
    }

    private static DeltaEntry find(Delta d, String path) {
        return d.entries().stream()
                .filter(e -> e.path().equals(TreePath.of(path)))
                .findFirst()
                .orElseThrow();
    }
}
