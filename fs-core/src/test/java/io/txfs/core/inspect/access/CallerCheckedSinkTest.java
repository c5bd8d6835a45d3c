package io.txfs.core.inspect.access;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.txfs.core.Engine;
import io.txfs.core.EngineConfig;
import io.txfs.core.inspect.EntryKind;
import io.txfs.core.inspect.EntryMetadata;
import io.txfs.core.inspect.TreePath;
import io.txfs.core.inspect.TreeSink;
import io.txfs.core.inspect.engine.ViewTreeSink;
import io.txfs.core.inspect.engine.ViewTreeSource;
import io.txfs.core.inspect.oci.OciLayerImporter;
import io.txfs.core.model.AttributeChange;
import io.txfs.core.model.Caller;
import io.txfs.core.model.FileType;
import io.txfs.core.model.FsException;
import io.txfs.core.model.Isolation;
import io.txfs.core.model.NodeAttributes;
import io.txfs.core.store.MemoryStore;
import io.txfs.core.tree.View;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A layer imported by an unprivileged uid changes only what that uid could change by system calls. The
 * published tree: /etc (root 0755) with passwd (root 0644) and motd (root 0666); /tmp (root 1777) with
 * other's file (uid 2000); /home/u (uid 1000, 0755) with notes; /shared (root:3000 2775) and /g5
 * (root:5000 2777), both set-gid; the user is in group 3000, not 5000.
 */
class CallerCheckedSinkTest {
    private static final int U = 1000;
    private static final AccessIdentity USER = new AccessIdentity(U, U, Set.of((long) U, 3000L));
    private static final AccessIdentity STRANGER = new AccessIdentity(4000, 4000, Set.of(4000L));

    @TempDir
    Path tmp;

    private Engine engine;

    @BeforeEach
    void open() throws Exception {
        engine = Engine.open(EngineConfig.memory(Files.createDirectories(tmp.resolve("backing")), new MemoryStore()));
        View v = engine.createView("setup", Isolation.SNAPSHOT, 0);
        long etc = dir(v, Engine.ROOT, "etc", 0755, 0, 0);
        file(v, etc, "passwd", 0644, 0, 0);
        file(v, etc, "motd", 0666, 0, 0);
        long t = dir(v, Engine.ROOT, "tmp", 01777, 0, 0);
        file(v, t, "other", 0644, 2000, 2000);
        file(v, t, "mine", 0644, U, U);
        long home = dir(v, Engine.ROOT, "home", 0755, 0, 0);
        long u = dir(v, home, "u", 0755, U, U);
        file(v, u, "notes", 0644, U, U);
        dir(v, Engine.ROOT, "shared", 02775, 0, 3000);
        dir(v, Engine.ROOT, "g5", 02777, 0, 5000);
        engine.publish(v, false);
    }

    @AfterEach
    void close() {
        engine.close();
    }

    private long dir(View v, long parent, String name, int perm, int uid, int gid) {
        long ino = engine.mkdir(v, parent, b(name), perm, Caller.ROOT).ino();
        engine.setattr(v, ino, new AttributeChange(perm, uid, gid, null, null, null));
        return ino;
    }

    private void file(View v, long parent, String name, int perm, int uid, int gid) {
        long ino = engine.create(v, parent, b(name), perm, Caller.ROOT).ino();
        engine.write(v, ino, 0, b("original " + name));
        engine.setattr(v, ino, new AttributeChange(perm, uid, gid, null, null, null));
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    // ---- layers ----

    interface Body {
        void write(TarArchiveOutputStream tar) throws IOException;
    }

    private static byte[] layer(Body body) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out, "UTF-8")) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            body.write(tar);
        }
        return out.toByteArray();
    }

    private static void file(TarArchiveOutputStream tar, String name, int mode, String content) throws IOException {
        byte[] c = b(content);
        TarArchiveEntry e = new TarArchiveEntry(name, true);
        e.setMode(0100000 | mode);
        e.setSize(c.length);
        tar.putArchiveEntry(e);
        tar.write(c);
        tar.closeArchiveEntry();
    }

    private static void entry(TarArchiveOutputStream tar, String name, byte flag, int mode, String link)
            throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name, flag, true);
        e.setMode(mode);
        if (link != null) {
            e.setLinkName(link);
        }
        tar.putArchiveEntry(e);
        tar.closeArchiveEntry();
    }

    private static void whiteout(TarArchiveOutputStream tar, String dir, String name) throws IOException {
        file(tar, dir + "/.wh." + name, 0644, "");
    }

    /** Applies the layer as {@code who} into a new view of the published state. */
    private View importAs(AccessIdentity who, byte[] layer) throws IOException {
        View v = engine.createView("import-" + System.nanoTime(), Isolation.SNAPSHOT, (int) who.uid());
        TreeSink sink = CallerCheckedSink.forCaller(
                new ViewTreeSink(engine, v, new Caller((int) who.uid(), (int) who.primaryGid())),
                new ViewTreeSource(engine, v),
                who);
        new OciLayerImporter(new OciLayerImporter.Options(1 << 20, who.isRoot(), true))
                .apply(new ByteArrayInputStream(layer), sink);
        return v;
    }

    /** The same layer applied to a sink that changes nothing must refuse it before any change. */
    private <T extends Throwable> T refused(Class<T> type, AccessIdentity who, byte[] layer) throws IOException {
        View v = engine.createView("dry-" + System.nanoTime(), Isolation.SNAPSHOT, (int) who.uid());
        TreeSink nothing = new NoChangeSink(new ViewTreeSink(engine, v, Caller.ROOT));
        assertThrows(
                type,
                () -> new OciLayerImporter(new OciLayerImporter.Options(1 << 20, false, true))
                        .apply(
                                new ByteArrayInputStream(layer),
                                new CallerCheckedSink(nothing, new ViewTreeSource(engine, v), who)));
        T real = assertThrows(type, () -> importAs(who, layer));
        return real;
    }

    private NodeAttributes attr(View v, String path) {
        long ino = engine.resolve(v, path);
        return engine.getattr(v, ino);
    }

    private String content(View v, String path) {
        NodeAttributes a = attr(v, path);
        return new String(engine.read(v, a.ino(), 0, (int) a.size()), StandardCharsets.UTF_8);
    }

    // ---- tests ----

    @Test
    void aUserCannotReplaceRootsFile() throws Exception {
        AccessDeniedException e = refused(
                AccessDeniedException.class, USER, layer(t -> file(t, "etc/passwd", 0644, "root::0:0::/:/bin/sh\n")));
        assertTrue(e.getMessage().startsWith("etc: no write permission"), e.getMessage());
        assertEquals("original passwd", content(engine.published(), "etc/passwd"));
    }

    @Test
    void aUserCannotDeleteRootsFileWithAWhiteout() throws Exception {
        refused(AccessDeniedException.class, USER, layer(t -> whiteout(t, "etc", "passwd")));
        refused(AccessDeniedException.class, USER, layer(t -> file(t, "etc/.wh..wh..opq", 0644, "")));
    }

    @Test
    void aWritableFileInAnUnwritableDirectoryIsStillNotReplaceable() throws Exception {
        // replacing makes a new inode the user would own: more than writing the 0666 file's bytes
        refused(AccessDeniedException.class, USER, layer(t -> file(t, "etc/motd", 0644, "mine")));
    }

    @Test
    void stickyDirectoriesProtectOthersEntries() throws Exception {
        refused(NotPermittedException.class, USER, layer(t -> file(t, "tmp/other", 0644, "overwritten")));
        refused(NotPermittedException.class, USER, layer(t -> whiteout(t, "tmp", "other")));
        View v = importAs(USER, layer(t -> {
            file(t, "tmp/mine", 0600, "replaced");
            file(t, "tmp/new", 0644, "new");
        }));
        assertEquals("replaced", content(v, "tmp/mine"));
        assertEquals(U, attr(v, "tmp/new").uid());
        assertEquals("original other", content(v, "tmp/other"));
    }

    @Test
    void aUserChangesItsOwnTreeFreelyAndOwnsWhatTheLayerMakes() throws Exception {
        View v = importAs(USER, layer(t -> {
            whiteout(t, "home/u", "notes");
            entry(t, "home/u/ro/", TarConstants.LF_DIR, 040555, null);
            file(t, "home/u/ro/inside", 0644, "x");
            entry(t, "home/u/fifo", TarConstants.LF_FIFO, 010644, null);
            entry(t, "home/u/ln", TarConstants.LF_SYMLINK, 0120777, "ro/inside");
        }));
        assertThrows(FsException.class, () -> engine.resolve(v, "home/u/notes"));
        assertEquals(0555, attr(v, "home/u/ro").perm());
        assertEquals("x", content(v, "home/u/ro/inside"));
        assertEquals(FileType.FIFO, attr(v, "home/u/fifo").type());
        assertEquals(U, attr(v, "home/u/ro/inside").uid());
    }

    @Test
    void layerOwnershipIsIgnoredForUsers() throws Exception {
        View v = importAs(USER, layer(t -> {
            TarArchiveEntry e = new TarArchiveEntry("home/u/setuid-root", true);
            e.setMode(0104755);
            e.setIds(0, 0);
            e.setSize(1);
            t.putArchiveEntry(e);
            t.write('x');
            t.closeArchiveEntry();
        }));
        NodeAttributes a = attr(v, "home/u/setuid-root");
        assertEquals(U, a.uid());
        assertEquals(U, a.gid());
        assertEquals(04755, a.perm(), "set-uid to itself is allowed");
    }

    @Test
    void existingDirectoriesOfOthersKeepTheirMode() throws Exception {
        NotPermittedException e = refused(
                NotPermittedException.class, USER, layer(t -> entry(t, "etc/", TarConstants.LF_DIR, 040777, null)));
        assertTrue(e.getReason().contains("uid 0"), e.getReason());
        // the same mode is no change: a layer that lists /tmp to add a file in it is fine
        View v = importAs(USER, layer(t -> {
            entry(t, "tmp/", TarConstants.LF_DIR, 041777, null);
            file(t, "tmp/added", 0644, "a");
        }));
        assertEquals(01777, attr(v, "tmp").perm());
        assertEquals(0, attr(v, "tmp").uid());
    }

    @Test
    void devicesAndPrivilegedXattrsNeedRoot() throws Exception {
        refused(NotPermittedException.class, USER, layer(t -> {
            TarArchiveEntry e = new TarArchiveEntry("home/u/null", TarConstants.LF_CHR, true);
            e.setMode(020666);
            e.setDevMajor(1);
            e.setDevMinor(3);
            t.putArchiveEntry(e);
            t.closeArchiveEntry();
        }));
        refused(NotPermittedException.class, USER, layer(t -> {
            TarArchiveEntry e = new TarArchiveEntry("home/u/cap", true);
            e.setMode(0100755);
            e.addPaxHeader("SCHILY.xattr.security.capability", "x");
            t.putArchiveEntry(e);
            t.closeArchiveEntry();
        }));
        View v = importAs(USER, layer(t -> {
            TarArchiveEntry e = new TarArchiveEntry("home/u/tagged", true);
            e.setMode(0100644);
            e.addPaxHeader("SCHILY.xattr.user.tag", "v");
            t.putArchiveEntry(e);
            t.closeArchiveEntry();
        }));
        assertArrayEquals(b("v"), engine.getxattr(v, attr(v, "home/u/tagged").ino(), "user.tag"));
    }

    @Test
    void setGidIsDroppedWhereTheUserIsNotInTheGroup() throws Exception {
        View v = importAs(USER, layer(t -> {
            file(t, "shared/in-my-group", 02755, "a");
        }));
        assertEquals(3000, attr(v, "shared/in-my-group").gid());
        assertEquals(02755, attr(v, "shared/in-my-group").perm());
        View w = importAs(USER, layer(t -> {
            file(t, "g5/x", 02755, "a");
            file(t, "home/u/plain", 02755, "a");
        }));
        assertEquals(5000, attr(w, "g5/x").gid());
        assertEquals(0755, attr(w, "g5/x").perm(), "not in group 5000: set-gid dropped");
        assertEquals(02755, attr(w, "home/u/plain").perm(), "own group: kept");
    }

    @Test
    void hardLinksFollowProtectedHardlinks() throws Exception {
        refused(
                NotPermittedException.class,
                USER,
                layer(t -> entry(t, "home/u/pw", TarConstants.LF_LINK, 0100644, "etc/passwd")));
        View v = importAs(USER, layer(t -> entry(t, "home/u/motd", TarConstants.LF_LINK, 0100666, "etc/motd")));
        assertEquals(attr(v, "etc/motd").ino(), attr(v, "home/u/motd").ino());
    }

    @Test
    void aStrangerCannotTouchAnotherUsersHome() throws Exception {
        refused(AccessDeniedException.class, STRANGER, layer(t -> file(t, "home/u/notes", 0644, "x")));
        refused(AccessDeniedException.class, STRANGER, layer(t -> whiteout(t, "home", "u")));
    }

    @Test
    void rootMayDoAnything() throws Exception {
        View v = importAs(AccessIdentity.root(), layer(t -> {
            file(t, "etc/passwd", 0600, "new");
            whiteout(t, "tmp", "other");
        }));
        assertEquals("new", content(v, "etc/passwd"));
        assertThrows(FsException.class, () -> engine.resolve(v, "tmp/other"));
    }

    /** Answers like the tree it wraps, changes nothing: the dry run. */
    private static final class NoChangeSink implements TreeSink {
        private final TreeSink real;

        NoChangeSink(TreeSink real) {
            this.real = real;
        }

        @Override
        public Optional<EntryKind> kind(TreePath path) throws IOException {
            return real.kind(path);
        }

        @Override
        public void delete(TreePath path) {}

        @Override
        public void clearDirectory(TreePath dir) {}

        @Override
        public void makeDirectory(TreePath path, EntryMetadata meta) {}

        @Override
        public void writeFile(TreePath path, EntryMetadata meta, InputStream content, long size) throws IOException {
            content.skipNBytes(size);
        }

        @Override
        public void makeSymlink(TreePath path, byte[] target, EntryMetadata meta) {}

        @Override
        public void makeHardLink(TreePath path, TreePath existing) {}

        @Override
        public void makeNode(TreePath path, EntryKind kind, long rdev, EntryMetadata meta) {}

        @Override
        public void setDirectoryMtime(TreePath path, long mtimeNanos) {}
    }
}
