package io.txfs.core.inspect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.txfs.core.inspect.delta.Delta;
import io.txfs.core.inspect.delta.DeltaComputer;
import io.txfs.core.inspect.dir.DirectoryTreeSink;
import io.txfs.core.inspect.dir.DirectoryTreeSource;
import io.txfs.core.inspect.oci.LayerRejectedException;
import io.txfs.core.inspect.oci.LayerRejectedException.Reason;
import io.txfs.core.inspect.oci.OciLayerImporter;
import io.txfs.core.inspect.oci.OciLayerWriter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OciLayerTest {
    @TempDir
    Path tmp;

    private boolean xattrsSupported;

    @BeforeEach
    void probeXattrs() throws IOException {
        Path probe = Files.createFile(tmp.resolve("probe"));
        try {
            Files.getFileAttributeView(probe, UserDefinedFileAttributeView.class)
                    .write("k", ByteBuffer.wrap(new byte[] {1}));
            xattrsSupported = true;
        } catch (IOException | UnsupportedOperationException e) {
            xattrsSupported = false;
        }
        Files.delete(probe);
    }

    private static byte[] export(Path before, Path after) throws IOException {
        DirectoryTreeSource b = new DirectoryTreeSource(before);
        DirectoryTreeSource a = new DirectoryTreeSource(after);
        Delta d = new DeltaComputer(ObjectFormat.SHA256, false).compute(b, a);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new OciLayerWriter(OciLayerWriter.Options.defaults()).write(d, b, a, out);
        return out.toByteArray();
    }

    private static void importInto(byte[] tar, Path root) throws IOException {
        new OciLayerImporter(OciLayerImporter.Options.defaults())
                .apply(new ByteArrayInputStream(tar), new DirectoryTreeSink(root));
    }

    @Test
    void importingDeltaOfAToBIntoAGivesB() throws Exception {
        for (int seed = 0; seed < Integer.getInteger("txfs.roundtrip.seeds", 25); seed++) {
            Random rnd = new Random(seed);
            Path round = Files.createDirectory(tmp.resolve("r" + seed));
            Path a = Files.createDirectory(round.resolve("a"));
            DiskTrees.mutate(a, rnd, 25, xattrsSupported);
            Path b = round.resolve("b");
            DiskTrees.copy(a, b);
            DiskTrees.mutate(b, rnd, 15, xattrsSupported);
            assertNotEquals(DiskTrees.ids(a), DiskTrees.ids(b), "seed " + seed + " changed nothing");
            byte[] tar = export(a, b);
            Path c = round.resolve("c");
            DiskTrees.copy(a, c);
            importInto(tar, c);
            assertEquals(DiskTrees.ids(b), DiskTrees.ids(c), "seed " + seed);
            assertTrue(
                    new DeltaComputer(ObjectFormat.SHA256, false)
                            .compute(new DirectoryTreeSource(b), new DirectoryTreeSource(c))
                            .isEmpty(),
                    "seed " + seed);
        }
    }

    @Test
    void withKeptMtimesTheRoundTripAlsoMatchesTheExtendedIdWithMtimes() throws Exception {
        TreeIdOptions withTimes = TreeIdOptions.extended(ObjectFormat.SHA256, true);
        for (int seed = 0; seed < 8; seed++) {
            Random rnd = new Random(1000 + seed);
            Path round = Files.createDirectory(tmp.resolve("m" + seed));
            Path a = Files.createDirectory(round.resolve("a"));
            DiskTrees.mutate(a, rnd, 20, xattrsSupported);
            Path b = round.resolve("b");
            DiskTrees.copy(a, b);
            DiskTrees.mutate(b, rnd, 12, xattrsSupported);
            DirectoryTreeSource before = new DirectoryTreeSource(a);
            DirectoryTreeSource after = new DirectoryTreeSource(b);
            Delta d = new DeltaComputer(ObjectFormat.SHA256, true).compute(before, after);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            new OciLayerWriter(new OciLayerWriter.Options(true, 0)).write(d, before, after, out);
            Path c = round.resolve("c");
            DiskTrees.copy(a, c);
            importInto(out.toByteArray(), c);
            assertEquals(
                    new TreeHasher(withTimes).hash(after, TreePath.root()),
                    new TreeHasher(withTimes).hash(new DirectoryTreeSource(c), TreePath.root()),
                    "seed " + seed);
        }
    }

    private Path[] beforeAndAfter() throws Exception {
        Path a = Files.createDirectory(tmp.resolve("a"));
        DirectoryTreeSink s = new DirectoryTreeSink(a);
        s.makeDirectory(TreePath.of("wiped"), GitCompatibilityTest.dirMeta());
        for (String n : new String[] {"one", "two", "three"}) {
            write(s, "wiped/" + n, "old " + n);
        }
        write(s, "gone", "deleted");
        write(s, "kept", "kept");
        write(s, "changed", "v1");
        Path b = tmp.resolve("b");
        DiskTrees.copy(a, b);
        DirectoryTreeSink t = new DirectoryTreeSink(b);
        for (String n : new String[] {"one", "two", "three"}) {
            t.delete(TreePath.of("wiped/" + n));
        }
        write(t, "wiped/fresh", "new");
        t.delete(TreePath.of("gone"));
        write(t, "changed", "v2");
        write(t, "dir/" + "deep/".repeat(30) + "file", "long path");
        t.makeSymlink(TreePath.of("link"), "kept".getBytes(StandardCharsets.UTF_8), GitCompatibilityTest.linkMeta());
        write(t, "hard1", "linked");
        Files.createLink(b.resolve("hard2"), b.resolve("hard1"));
        return new Path[] {a, b};
    }

    private static void write(DirectoryTreeSink s, String path, String content) throws IOException {
        TreePath p = TreePath.of(path);
        TreePath parent = TreePath.root();
        for (Name n : p.parent().names()) {
            parent = parent.resolve(n);
            s.makeDirectory(parent, GitCompatibilityTest.dirMeta());
        }
        byte[] b = content.getBytes(StandardCharsets.UTF_8);
        s.writeFile(p, GitCompatibilityTest.fileMeta(0644), new ByteArrayInputStream(b), b.length);
    }

    @Test
    void gnuTarListsTheLayerWithWhiteoutsLinksAndLongNames() throws Exception {
        Path[] ab = beforeAndAfter();
        byte[] tar = export(ab[0], ab[1]);
        Path file = tmp.resolve("layer.tar");
        Files.write(file, tar);
        String listing = DiskTrees.run("tar", "-tvf", file.toString());
        assertTrue(listing.contains(" .wh.gone\n"), listing);
        assertTrue(listing.contains(" wiped/.wh..wh..opq\n"), listing);
        assertTrue(listing.contains(" wiped/fresh\n"), listing);
        assertTrue(!listing.contains(".wh.one"), "opaque directory instead of one whiteout per entry:\n" + listing);
        assertTrue(listing.contains("hard2 link to hard1"), listing);
        assertTrue(listing.contains("link -> kept"), listing);
        assertTrue(
                listing.contains("deep/deep/deep/deep/deep/deep/deep/deep/deep/deep/deep/deep/deep/deep/deep/file"),
                listing);
        assertTrue(listing.contains("0/0"), "numeric ids only:\n" + listing);
        assertTrue(listing.contains("1970-01-01 00:00"), "fixed mtime:\n" + listing);
        Path c = tmp.resolve("c");
        DiskTrees.copy(ab[0], c);
        importInto(tar, c);
        assertEquals(DiskTrees.ids(ab[1]), DiskTrees.ids(c));
        assertEquals(
                Files.getAttribute(c.resolve("hard1"), "unix:ino"), Files.getAttribute(c.resolve("hard2"), "unix:ino"));
    }

    @Test
    void exportIsByteForByteDeterministic() throws Exception {
        Path[] ab = beforeAndAfter();
        byte[] first = export(ab[0], ab[1]);
        String user = System.getProperty("user.name");
        System.setProperty("user.name", "someone-else");
        byte[] second;
        try {
            second = export(ab[0], ab[1]);
        } finally {
            System.setProperty("user.name", user);
        }
        assertArrayEquals(first, second);
        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(first))) {
            for (TarArchiveEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                assertEquals("", e.getUserName(), e.getName());
                assertEquals(0, e.getModTime().getTime(), e.getName());
            }
        }
    }

    @Test
    void nonUtf8NamesLinkTargetsAndBinaryXattrsRoundTripByteExactly() throws Exception {
        Path a = Files.createDirectory(tmp.resolve("a"));
        Path b = Files.createDirectory(tmp.resolve("b"));
        DirectoryTreeSink s = new DirectoryTreeSink(b);
        byte[] bad = {'x', (byte) 0xff};
        TreeMap<Name, byte[]> xattrs = new TreeMap<>();
        if (xattrsSupported) {
            xattrs.put(Name.xattr("user.bin"), new byte[] {0, (byte) 0xff, '\n', '='});
            xattrs.put(Name.xattr("user.with/slash"), new byte[] {'v'});
        }
        s.writeFile(
                TreePath.ofBytes(bad),
                new EntryMetadata(0640, null, null, null, xattrs),
                new ByteArrayInputStream(bad),
                2);
        byte[] longDir = new byte[150];
        Arrays.fill(longDir, (byte) 0xe9);
        s.makeDirectory(TreePath.ofBytes(longDir), GitCompatibilityTest.dirMeta());
        TreePath inLong = TreePath.ofBytes(longDir).resolve(Name.of(new byte[] {'f', (byte) 0x80}));
        s.writeFile(inLong, GitCompatibilityTest.fileMeta(0755), new ByteArrayInputStream(bad), 2);
        s.makeSymlink(TreePath.of("ln"), new byte[] {'.', '.', '/', (byte) 0xfe}, GitCompatibilityTest.linkMeta());
        byte[] tar = export(a, b);
        Path file = tmp.resolve("layer.tar");
        Files.write(file, tar);
        // GNU tar 1.34 warns "Ignoring unknown extended header keyword 'hdrcharset'" and uses the raw bytes.
        String listing = DiskTrees.run("tar", "-tvf", file.toString());
        assertEquals(4, listing.lines().filter(l -> !l.startsWith("tar: ")).count(), listing);
        Path c = tmp.resolve("c");
        DiskTrees.copy(a, c);
        importInto(tar, c);
        assertEquals(DiskTrees.ids(b), DiskTrees.ids(c));
        assertTrue(new DeltaComputer(ObjectFormat.SHA256, false)
                .compute(new DirectoryTreeSource(b), new DirectoryTreeSource(c))
                .isEmpty());
        // GNU tar extracts the same bytes (it reads hdrcharset=BINARY records).
        Path g = Files.createDirectory(tmp.resolve("gnu"));
        DiskTrees.run("tar", "--xattrs", "--xattrs-include=user.*", "-xf", file.toString(), "-C", g.toString());
        assertEquals(DiskTrees.ids(b).get("git-sha1"), DiskTrees.ids(g).get("git-sha1"));
    }

    @Test
    void importsWhatGnuTarWritesInPosixAndGnuFormats() throws Exception {
        Path src = Files.createDirectory(tmp.resolve("src"));
        DirectoryTreeSink s = new DirectoryTreeSink(src);
        write(s, "dir/" + "long-component-".repeat(8) + "/file", "deep");
        write(s, "exec", "x");
        Files.setPosixFilePermissions(src.resolve("exec"), PosixFilePermissions.fromString("rwxr-x---"));
        s.makeSymlink(TreePath.of("ln"), "dir".getBytes(StandardCharsets.UTF_8), GitCompatibilityTest.linkMeta());
        byte[] odd = {'o', (byte) 0xff};
        s.writeFile(TreePath.ofBytes(odd), GitCompatibilityTest.fileMeta(0600), new ByteArrayInputStream(odd), 2);
        Files.createLink(src.resolve("hard"), src.resolve("exec"));
        s.makeDirectory(TreePath.of("empty"), GitCompatibilityTest.dirMeta());
        for (String format : new String[] {"posix", "gnu"}) {
            Path file = tmp.resolve(format + ".tar");
            DiskTrees.run("tar", "--format=" + format, "-C", src.toString(), "-cf", file.toString(), ".");
            Path dst = Files.createDirectory(tmp.resolve("dst-" + format));
            importInto(Files.readAllBytes(file), dst);
            assertEquals(DiskTrees.ids(src), DiskTrees.ids(dst), format);
        }
    }

    @Test
    void entriesThatCannotGoIntoATarAreRefusedClearly() throws Exception {
        Path a = Files.createDirectory(tmp.resolve("a"));
        Path b = Files.createDirectory(tmp.resolve("b"));
        new DirectoryTreeSink(b)
                .writeFile(
                        TreePath.of(".wh.looks-like-a-whiteout"),
                        GitCompatibilityTest.fileMeta(0644),
                        new ByteArrayInputStream(new byte[0]),
                        0);
        UnrepresentableEntryException e = assertThrows(UnrepresentableEntryException.class, () -> export(a, b));
        assertEquals(TreePath.of(".wh.looks-like-a-whiteout"), e.path());
    }

    // ---- malicious and broken layers ----

    interface TarBody {
        void write(TarArchiveOutputStream tar) throws IOException;
    }

    private static byte[] tar(TarBody body) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out, "UTF-8")) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            body.write(tar);
        }
        return out.toByteArray();
    }

    private static void file(TarArchiveOutputStream tar, String name, String content) throws IOException {
        byte[] b = content.getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry e = new TarArchiveEntry(name, true);
        e.setSize(b.length);
        tar.putArchiveEntry(e);
        tar.write(b);
        tar.closeArchiveEntry();
    }

    private static void link(TarArchiveOutputStream tar, String name, byte flag, String target) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name, flag, true);
        e.setLinkName(target);
        tar.putArchiveEntry(e);
        tar.closeArchiveEntry();
    }

    private Path victim() throws Exception {
        Path v = Files.createDirectory(tmp.resolve("victim"));
        DirectoryTreeSink s = new DirectoryTreeSink(v);
        write(s, "etc/keep", "keep");
        s.makeSymlink(
                TreePath.of("out"), tmp.toString().getBytes(StandardCharsets.UTF_8), GitCompatibilityTest.linkMeta());
        return v;
    }

    private void assertRejected(Reason reason, byte[] tar) throws Exception {
        Path v = Files.exists(tmp.resolve("victim")) ? tmp.resolve("victim") : victim();
        Map<String, ObjectId> before = DiskTrees.ids(v);
        String listingBefore = DiskTrees.run("find", tmp.toString(), "-printf", "%p %y %s %m %T@\\n");
        LayerRejectedException e = assertThrows(LayerRejectedException.class, () -> importInto(tar, v));
        assertEquals(reason, e.reason(), e.getMessage());
        assertEquals(before, DiskTrees.ids(v));
        assertEquals(
                listingBefore,
                DiskTrees.run("find", tmp.toString(), "-printf", "%p %y %s %m %T@\\n"),
                "nothing changed anywhere");
    }

    @Test
    void rejectsAbsolutePaths() throws Exception {
        assertRejected(Reason.ABSOLUTE_PATH, tar(t -> {
            file(t, "fine", "ok");
            file(t, "/etc/evil", "x");
        }));
    }

    @Test
    void rejectsParentTraversal() throws Exception {
        assertRejected(Reason.PARENT_TRAVERSAL, tar(t -> file(t, "etc/../../evil", "x")));
    }

    @Test
    void rejectsHardLinksLeavingTheTree() throws Exception {
        assertRejected(Reason.PARENT_TRAVERSAL, tar(t -> link(t, "h", TarConstants.LF_LINK, "../../etc/passwd")));
        assertRejected(Reason.ABSOLUTE_PATH, tar(t -> link(t, "h", TarConstants.LF_LINK, "/etc/passwd")));
        assertRejected(Reason.LINK_ESCAPE, tar(t -> link(t, "h", TarConstants.LF_LINK, "etc")));
        assertRejected(Reason.THROUGH_SYMLINK, tar(t -> link(t, "h", TarConstants.LF_LINK, "out/victim/etc/keep")));
    }

    @Test
    void rejectsWritingThroughSymlinks() throws Exception {
        assertRejected(Reason.THROUGH_SYMLINK, tar(t -> file(t, "out/planted", "x")));
        assertRejected(Reason.THROUGH_SYMLINK, tar(t -> {
            link(t, "evil", TarConstants.LF_SYMLINK, "/");
            file(t, "evil/tmp/planted", "x");
        }));
        assertRejected(Reason.THROUGH_SYMLINK, tar(t -> file(t, "out/.wh.victim", "")));
    }

    @Test
    void rejectsTruncatedArchives() throws Exception {
        byte[] whole = tar(t -> {
            file(t, "a", "x".repeat(2000));
            file(t, "b", "y");
        });
        assertRejected(Reason.TRUNCATED, Arrays.copyOf(whole, 1024));
        assertRejected(Reason.TRUNCATED, Arrays.copyOf(whole, 1000));
        int endOfEntries = 512 + 2048 + 512 + 512;
        assertRejected(Reason.TRUNCATED, Arrays.copyOf(whole, endOfEntries));
    }

    @Test
    void rejectsHugeAndCorruptHeaders() throws Exception {
        byte[] h = new byte[512];
        byte[] name = "PaxHeaders/huge".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(name, 0, h, 0, name.length);
        put(h, 100, "0000644\0");
        put(h, 124, "77777777777\0");
        h[156] = 'x';
        put(h, 257, "ustar\0" + "00");
        Arrays.fill(h, 148, 156, (byte) ' ');
        long sum = 0;
        for (byte x : h) {
            sum += x & 0xff;
        }
        put(h, 148, String.format("%06o", sum) + "\0 ");
        byte[] huge = Arrays.copyOf(h, 512 * 4);
        assertRejected(Reason.HEADER_TOO_LARGE, huge);
        byte[] corrupt = tar(t -> file(t, "a", "x"));
        corrupt[10] ^= 1;
        assertRejected(Reason.BAD_HEADER, corrupt);
    }

    private static void put(byte[] h, int off, String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, h, off, b.length);
    }

    @Test
    void rejectsNulInNamesDuplicatesMissingParentsAndOddTypes() throws Exception {
        assertRejected(Reason.BAD_NAME, tar(t -> file(t, "x".repeat(120) + "\0hidden", "x")));
        assertRejected(Reason.DUPLICATE_PATH, tar(t -> {
            file(t, "d", "1");
            file(t, "./d", "2");
        }));
        assertRejected(Reason.MISSING_PARENT, tar(t -> file(t, "no/such/dir/f", "x")));
        assertRejected(Reason.MISSING_PARENT, tar(t -> file(t, "etc/keep/under-a-file", "x")));
        assertRejected(Reason.BAD_WHITEOUT, tar(t -> file(t, "etc/.wh..wh.plnk", "")));
        assertRejected(Reason.UNSUPPORTED_TYPE, tar(t -> {
            TarArchiveEntry e = new TarArchiveEntry("weird", (byte) 'Z');
            t.putArchiveEntry(e);
            t.closeArchiveEntry();
        }));
    }

    @Test
    void acceptsAGoodLayerOnTheSameVictim() throws Exception {
        Path v = victim();
        Map<String, ObjectId> before = DiskTrees.ids(v);
        importInto(
                tar(t -> {
                    file(t, "./etc/new", "new");
                    file(t, "etc/.wh.keep", "");
                    link(t, "etc/new2", TarConstants.LF_LINK, "etc/new");
                }),
                v);
        assertNotEquals(before, DiskTrees.ids(v));
        assertEquals("new", Files.readString(v.resolve("etc/new2")));
        assertTrue(Files.notExists(v.resolve("etc/keep")));
    }
}
