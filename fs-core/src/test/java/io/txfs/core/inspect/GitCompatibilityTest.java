package io.txfs.core.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.txfs.core.inspect.dir.DirectoryTreeSink;
import io.txfs.core.inspect.dir.DirectoryTreeSource;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.TreeMap;
import org.apache.commons.codec.digest.GitIdentifiers;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** TreeHasher's git id against the real git, on one directory with everything git has rules for. */
class GitCompatibilityTest {
    @TempDir
    Path tmp;

    Path tree;

    @BeforeEach
    void buildTree() throws IOException {
        tree = Files.createDirectory(tmp.resolve("tree"));
        DirectoryTreeSink sink = new DirectoryTreeSink(tree);
        file(sink, "README", 0644, "hello\n");
        file(sink, "run.sh", 0755, "#!/bin/sh\necho hi\n");
        file(sink, "owner-x-only", 0744, "x");
        file(sink, "group-x-only", 0654, "not executable for git");
        file(sink, "empty-file", 0644, "");
        file(sink, "name with spaces", 0644, "spaces");
        sink.makeDirectory(TreePath.of("foo"), dirMeta());
        file(sink, "foo/bar", 0644, "nested");
        file(sink, "foo.c", 0644, "sorts between 'foo' the file and 'foo/' the tree");
        file(sink, "foo-x", 0600, "sort order");
        sink.makeDirectory(TreePath.of("foo/deeper"), dirMeta());
        sink.makeDirectory(TreePath.of("foo/deeper/deepest"), dirMeta());
        file(sink, "foo/deeper/deepest/leaf", 0644, "leaf");
        sink.makeDirectory(TreePath.of("empty"), dirMeta());
        sink.makeDirectory(TreePath.of("only-empty-dirs"), dirMeta());
        sink.makeDirectory(TreePath.of("only-empty-dirs/a"), dirMeta());
        sink.makeDirectory(TreePath.of("only-empty-dirs/a/b"), dirMeta());
        sink.makeSymlink(TreePath.of("link-rel"), bytes("foo/bar"), linkMeta());
        sink.makeSymlink(TreePath.of("link-abs"), bytes("/etc/passwd"), linkMeta());
        sink.makeSymlink(TreePath.of("link-dangling"), bytes("../nowhere//x/"), linkMeta());
        sink.makeSymlink(TreePath.of("link-to-dir"), bytes("foo"), linkMeta());
        byte[] latin1 = {'c', 'a', 'f', (byte) 0xe9};
        sink.writeFile(TreePath.ofBytes(latin1), fileMeta(0644), new ByteArrayInputStream(latin1), latin1.length);
        byte[] badDir = {'d', (byte) 0xff, (byte) 0xfe};
        sink.makeDirectory(TreePath.ofBytes(badDir), dirMeta());
        byte[] inBad = {'d', (byte) 0xff, (byte) 0xfe, '/', 'x', (byte) 0x80};
        sink.writeFile(TreePath.ofBytes(inBad), fileMeta(0755), new ByteArrayInputStream(inBad), inBad.length);
        file(sink, "ünïcödé", 0644, "utf-8 name");
        file(sink, "emoji \uD83D\uDE00 sorts after \uE000 in bytes, before it in UTF-16", 0644, "e");
        file(sink, "\uE000 private use", 0644, "p");
        file(sink, "new\nline", 0644, "n");
        file(sink, "tab\tand \"quotes\" and \\", 0755, "t");
        sink.makeNode(TreePath.of("a-fifo"), EntryKind.FIFO, 0, fileMeta(0644));
    }

    @ParameterizedTest
    @EnumSource(ObjectFormat.class)
    void treeIdEqualsGitWriteTree(ObjectFormat format) throws Exception {
        GitRunner.assumeGit();
        String expected = GitRunner.writeTree(tree, tmp, format);
        ObjectId id = new TreeHasher(TreeIdOptions.git(format)).hash(new DirectoryTreeSource(tree), TreePath.root());
        assertEquals(expected, id.hex());
    }

    @ParameterizedTest
    @EnumSource(ObjectFormat.class)
    void subtreeIdEqualsGitWriteTreeOfThatDirectory(ObjectFormat format) throws Exception {
        GitRunner.assumeGit();
        String expected = GitRunner.writeTree(tree.resolve("foo"), tmp, format);
        ObjectId id = new TreeHasher(TreeIdOptions.git(format)).hash(new DirectoryTreeSource(tree), TreePath.of("foo"));
        assertEquals(expected, id.hex());
    }

    @ParameterizedTest
    @EnumSource(ObjectFormat.class)
    void emptyTreeIsGitsEmptyTree(ObjectFormat format) throws Exception {
        GitRunner.assumeGit();
        Path empty = Files.createDirectories(tmp.resolve("e/only/dirs"));
        String expected = GitRunner.writeTree(tmp.resolve("e"), tmp, format);
        assertEquals(
                expected,
                new TreeHasher(TreeIdOptions.git(format))
                        .hash(new DirectoryTreeSource(tmp.resolve("e")), TreePath.root())
                        .hex());
        assertEquals(expected, format.emptyTreeId().hex());
        assertEquals(true, Files.isDirectory(empty));
    }

    @Test
    void agreesWithCommonsCodecTreeIdWhereThatApplies() throws Exception {
        // commons-codec's own tree walk handles only UTF-8 names and keeps empty directories.
        Path simple = Files.createDirectory(tmp.resolve("simple"));
        DirectoryTreeSink sink = new DirectoryTreeSink(simple);
        file(sink, "a", 0644, "a");
        file(sink, "x.sh", 0755, "x");
        sink.makeDirectory(TreePath.of("d"), dirMeta());
        file(sink, "d/b", 0644, "b");
        file(sink, "d.txt", 0644, "sorted after d/ by git");
        for (ObjectFormat f : ObjectFormat.values()) {
            MessageDigest md = f.newDigest();
            byte[] codec = GitIdentifiers.treeId(md, simple);
            ObjectId ours = new TreeHasher(TreeIdOptions.git(f)).hash(new DirectoryTreeSource(simple), TreePath.root());
            assertEquals(new ObjectId(codec), ours, f.name());
        }
    }

    @Test
    void everyGitVisibleChangeChangesTheId() throws Exception {
        TreeHasher h = new TreeHasher(TreeIdOptions.git(ObjectFormat.SHA1));
        DirectoryTreeSource src = new DirectoryTreeSource(tree);
        ObjectId before = h.hash(src, TreePath.root());
        Files.setPosixFilePermissions(tree.resolve("README"), PosixFilePermissions.fromString("rwxr--r--"));
        ObjectId chmodded = h.hash(src, TreePath.root());
        assertNotEquals(before, chmodded);
        Files.createDirectory(tree.resolve("another-empty"));
        assertEquals(chmodded, h.hash(src, TreePath.root()), "empty directories are not in git ids");
    }

    private static void file(DirectoryTreeSink sink, String path, int perms, String content) throws IOException {
        byte[] b = bytes(content);
        sink.writeFile(TreePath.of(path), fileMeta(perms), new ByteArrayInputStream(b), b.length);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static EntryMetadata fileMeta(int perms) {
        return new EntryMetadata(perms, null, null, null, new TreeMap<>());
    }

    static EntryMetadata dirMeta() {
        return fileMeta(0755);
    }

    static EntryMetadata linkMeta() {
        return fileMeta(0777);
    }
}
