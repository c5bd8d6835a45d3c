package io.txfs.core.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TreeHasherTest {
    private static final TreeIdOptions GIT = TreeIdOptions.git(ObjectFormat.SHA1);
    private static final TreeIdOptions EXT = TreeIdOptions.extended(ObjectFormat.SHA256, false);
    private static final TreeIdOptions EXT_MTIME = TreeIdOptions.extended(ObjectFormat.SHA256, true);

    private static MemoryTree sample() {
        MemoryTree t = new MemoryTree();
        t.mkdir("src").mkdir("src/main").write("src/main/A.java", "class A {}");
        t.write("src/main/B.java", "class B {}").mkdir("docs").write("docs/readme", "read me");
        for (int i = 0; i < 20; i++) {
            t.mkdir("pkg" + i);
            for (int j = 0; j < 5; j++) {
                t.write("pkg" + i + "/f" + j, "content " + i + "/" + j);
            }
        }
        return t;
    }

    @Test
    void reHashAfterOneChangeReadsOnlyThatPathAndItsAncestors() throws IOException {
        MemoryTree tree = sample();
        HashCache cache = new HashCache(10_000);
        for (TreeIdOptions o : List.of(GIT, EXT)) {
            TreeHasher h = new TreeHasher(o, cache);
            h.hash(tree, TreePath.root());
        }
        tree.write("src/main/A.java", "class A { int x; }");
        for (TreeIdOptions o : List.of(GIT, EXT)) {
            CountingTreeSource counting = new CountingTreeSource(tree);
            ObjectId warm = new TreeHasher(o, cache).hash(counting, TreePath.root());
            for (String read : counting.reads) {
                String path = read.substring(read.indexOf(' ') + 1);
                assertTrue(List.of("", "src", "src/main", "src/main/A.java").contains(path), o + " read " + read);
            }
            assertTrue(counting.reads.contains("open src/main/A.java"), counting.reads.toString());
            assertEquals(
                    new TreeHasher(o).hash(new Unversioned(tree), TreePath.root()),
                    warm,
                    "cached and uncached ids agree");
        }
    }

    @Test
    void gitIdIgnoresWhatGitIgnores() throws IOException {
        MemoryTree t = sample();
        TreeHasher h = new TreeHasher(GIT);
        ObjectId base = h.hash(t, TreePath.root());
        t.chown("docs/readme", 1000, 1000).setXattr("docs/readme", "user.k", new byte[] {1, 2});
        t.touch("docs/readme", 42)
                .mkdir("empty")
                .mkdir("empty/nested")
                .fifo("a-fifo")
                .chmod("docs/readme", 0640);
        assertEquals(base, h.hash(t, TreePath.root()));
        t.chmod("docs/readme", 0740);
        assertNotEquals(base, h.hash(t, TreePath.root()), "owner execute bit is a git mode change");
    }

    @Test
    void extendedIdCoversOwnershipXattrsEmptyDirsDevicesAndOptionallyMtimes() throws IOException {
        MemoryTree t = sample();
        TreeHasher ext = new TreeHasher(EXT);
        TreeHasher extM = new TreeHasher(EXT_MTIME);
        ObjectId e0 = ext.hash(t, TreePath.root());
        ObjectId m0 = extM.hash(t, TreePath.root());
        t.touch("docs/readme", 7);
        assertEquals(e0, ext.hash(t, TreePath.root()), "mtimes left out");
        assertNotEquals(m0, extM.hash(t, TreePath.root()), "mtimes counted");
        ObjectId e1 = ext.hash(t.chown("docs/readme", 5, 5), TreePath.root());
        assertNotEquals(e0, e1);
        ObjectId e2 =
                ext.hash(t.setXattr("docs/readme", "user.a", "v".getBytes(StandardCharsets.UTF_8)), TreePath.root());
        assertNotEquals(e1, e2);
        ObjectId e3 = ext.hash(t.mkdir("empty"), TreePath.root());
        assertNotEquals(e2, e3);
        ObjectId e4 = ext.hash(t.fifo("empty/fifo"), TreePath.root());
        assertNotEquals(e3, e4);
        ObjectId e5 = ext.hash(t.chmod("empty", 0700), TreePath.root());
        assertNotEquals(e4, e5);
    }

    @Test
    void extendedIdCoversHardLinkStructure() throws IOException {
        MemoryTree linked = new MemoryTree().write("a", "same").mkdir("d");
        MemoryTree copied = linked.snapshot();
        linked.link("a", "d/b");
        copied.write("d/b", "same");
        // Same names, contents, modes: git cannot tell them apart, the extended id can.
        assertEquals(
                new TreeHasher(GIT).hash(linked, TreePath.root()), new TreeHasher(GIT).hash(copied, TreePath.root()));
        MemoryTree copiedWithNlink = copied.snapshot();
        assertNotEquals(
                new TreeHasher(EXT).hash(new Unversioned(linked), TreePath.root()),
                new TreeHasher(EXT).hash(new Unversioned(copiedWithNlink), TreePath.root()));
    }

    @Test
    void idsDifferByFormatAndKind() throws IOException {
        MemoryTree t = sample();
        ObjectId sha1 = new TreeHasher(TreeIdOptions.git(ObjectFormat.SHA1)).hash(t, TreePath.root());
        ObjectId sha256 = new TreeHasher(TreeIdOptions.git(ObjectFormat.SHA256)).hash(t, TreePath.root());
        assertEquals(40, sha1.hex().length());
        assertEquals(64, sha256.hex().length());
        assertNotEquals(sha256, new TreeHasher(EXT).hash(t, TreePath.root()));
    }

    @Test
    void fileAndSymlinkPathsHashToBlobIdsAndFifosHaveNoGitId() throws IOException {
        MemoryTree t = new MemoryTree().write("f", "hello\n").symlink("l", "f").fifo("p");
        TreeHasher h = new TreeHasher(GIT);
        assertEquals(
                "ce013625030ba8dba906f756967f9e9ca394464a",
                h.hash(t, TreePath.of("f")).hex(),
                "git hash-object of 'hello\\n'");
        assertEquals(
                TreeHasher.blobId(ObjectFormat.SHA1, "f".getBytes(StandardCharsets.UTF_8)),
                h.hash(t, TreePath.of("l")));
        assertThrows(UnrepresentableEntryException.class, () -> h.hash(t, TreePath.of("p")));
    }

    /** The same tree without version tokens: every read happens, nothing is memoized. */
    static final class Unversioned extends ForwardingTreeSource {
        Unversioned(TreeSource inner) {
            super(inner);
        }

        @Override
        public Optional<Object> version(TreePath path) {
            return Optional.empty();
        }
    }
}
