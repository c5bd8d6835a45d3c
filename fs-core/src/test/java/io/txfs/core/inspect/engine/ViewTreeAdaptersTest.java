package io.txfs.core.inspect.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.txfs.core.Engine;
import io.txfs.core.EngineConfig;
import io.txfs.core.ViewDiff;
import io.txfs.core.inspect.ForwardingTreeSource;
import io.txfs.core.inspect.HashCache;
import io.txfs.core.inspect.Name;
import io.txfs.core.inspect.ObjectFormat;
import io.txfs.core.inspect.TreeHasher;
import io.txfs.core.inspect.TreeIdOptions;
import io.txfs.core.inspect.TreePath;
import io.txfs.core.inspect.TreeSource;
import io.txfs.core.inspect.delta.Delta;
import io.txfs.core.inspect.delta.DeltaComputer;
import io.txfs.core.inspect.dir.DirectoryTreeSource;
import io.txfs.core.inspect.oci.LayerRejectedException;
import io.txfs.core.inspect.oci.OciLayerImporter;
import io.txfs.core.inspect.oci.OciLayerWriter;
import io.txfs.core.model.AttributeChange;
import io.txfs.core.model.Caller;
import io.txfs.core.model.Isolation;
import io.txfs.core.store.MemoryStore;
import io.txfs.core.tree.View;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ViewTreeAdaptersTest {
    private static final byte[] NON_UTF8 = {'x', (byte) 0xc3, '(', 'n'};

    @TempDir
    Path tmp;

    private Engine engine;
    private Path backing;

    @BeforeEach
    void open() throws Exception {
        backing = Files.createDirectories(tmp.resolve("backing"));
        Files.createDirectories(backing.resolve("src/old"));
        Files.writeString(backing.resolve("src/old/gone.c"), "int gone;\n");
        Files.writeString(backing.resolve("src/keep.c"), "int keep;\n");
        Files.writeString(backing.resolve("README"), "hello\n");
        for (Path p :
                List.of(backing.resolve("src/old/gone.c"), backing.resolve("src/keep.c"), backing.resolve("README"))) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r--r--"));
        }
        engine = Engine.open(EngineConfig.memory(backing, new MemoryStore()));
    }

    @AfterEach
    void close() {
        engine.close();
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private long file(View v, long dir, byte[] name, String content, int perm) {
        long ino = engine.create(v, dir, name, perm, Caller.ROOT).ino();
        engine.write(v, ino, 0, b(content));
        return ino;
    }

    /** Adds the same things {@link #sameOnDisk} adds to a copy of the backing directory. */
    private void change(View v) {
        long src = engine.resolve(v, "src");
        engine.unlink(v, engine.resolve(v, "src/old"), b("gone.c"));
        engine.rmdir(v, src, b("old"));
        file(v, src, b("run.sh"), "#!/bin/sh\necho hi\n", 0755);
        engine.symlink(v, src, b("link"), b("../README"), Caller.ROOT);
        long nested = engine.mkdir(
                        v,
                        engine.mkdir(v, Engine.ROOT, b("a b"), 0755, Caller.ROOT)
                                .ino(),
                        b("deep"),
                        0700,
                        Caller.ROOT)
                .ino();
        file(v, nested, NON_UTF8, "bytes\n", 0640);
        engine.mkdir(v, Engine.ROOT, b("empty"), 0755, Caller.ROOT);
        engine.write(v, engine.resolve(v, "README"), 6, b("more\n"));
    }

    private Path sameOnDisk() throws Exception {
        Path d = Files.createDirectories(tmp.resolve("disk"));
        DiskTreeCopy.copy(backing, d);
        Files.delete(d.resolve("src/old/gone.c"));
        Files.delete(d.resolve("src/old"));
        Path run = Files.writeString(d.resolve("src/run.sh"), "#!/bin/sh\necho hi\n");
        Files.setPosixFilePermissions(run, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createSymbolicLink(d.resolve("src/link"), Path.of("../README"));
        Path deep = Files.createDirectories(d.resolve("a b/deep"));
        Files.setPosixFilePermissions(deep, PosixFilePermissions.fromString("rwx------"));
        Files.setPosixFilePermissions(d.resolve("a b"), PosixFilePermissions.fromString("rwxr-xr-x"));
        DiskTreeCopy.writeRaw(deep, NON_UTF8, b("bytes\n"), 0640);
        Files.createDirectories(d.resolve("empty"));
        Files.setPosixFilePermissions(d.resolve("empty"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(d.resolve("README"), "hello\nmore\n");
        return d;
    }

    @Test
    void treeIdOfAViewEqualsTheIdOfAnEqualRealDirectory() throws Exception {
        View v = engine.createView("v", Isolation.SNAPSHOT, 0);
        change(v);
        Path disk = sameOnDisk();
        for (ObjectFormat f : ObjectFormat.values()) {
            TreeIdOptions git = TreeIdOptions.git(f);
            assertEquals(
                    new TreeHasher(git).hash(new DirectoryTreeSource(disk), TreePath.root()),
                    new TreeHasher(git).hash(new ViewTreeSource(engine, v), TreePath.root()),
                    f.gitName());
            assertEquals(
                    new TreeHasher(git).hash(new DirectoryTreeSource(disk), TreePath.of("a b")),
                    new TreeHasher(git).hash(new ViewTreeSource(engine, v), TreePath.of("a b")),
                    "subtree " + f.gitName());
            // the published state is unchanged: it equals the backing directory
            assertEquals(
                    new TreeHasher(git).hash(new DirectoryTreeSource(backing), TreePath.root()),
                    new TreeHasher(git).hash(new ViewTreeSource(engine, engine.published()), TreePath.root()));
        }
        // the extended id (without mtimes) covers modes, owners, empty directories: equal too
        TreeIdOptions ext = TreeIdOptions.extended(ObjectFormat.SHA256, false);
        assertEquals(
                new TreeHasher(ext).hash(new DirectoryTreeSource(disk), TreePath.root()),
                new TreeHasher(ext).hash(new ViewTreeSource(engine, v), TreePath.root()));
    }

    @Test
    void listingHidesTheControlDirectoryAndIsSortedByBytes() throws Exception {
        View v = engine.createView("v", Isolation.SNAPSHOT, 0);
        change(v);
        ViewTreeSource s = new ViewTreeSource(engine, v);
        List<Name> root = s.list(TreePath.root());
        assertEquals(new TreeSet<>(root).stream().toList(), root);
        assertFalse(root.contains(Name.of(".txfs")));
        assertThrows(NoSuchFileException.class, () -> s.stat(TreePath.of(".txfs")));
        assertThrows(NoSuchFileException.class, () -> s.stat(TreePath.of("src/old")));
        assertEquals(1, s.stat(TreePath.of("README")).nlink());
    }

    @Test
    void deltaOfBaseAndViewHasTheEnginesPendingPaths() throws Exception {
        View v = engine.createView("v", Isolation.SNAPSHOT, 0);
        change(v);
        engine.setattr(v, engine.resolve(v, "src/keep.c"), AttributeChange.perm(0600));
        Delta d = new DeltaComputer(ObjectFormat.SHA1, false)
                .compute(new ViewTreeSource(engine, ViewDiff.baseOf(engine, v)), new ViewTreeSource(engine, v));
        // the engine's DeltaEntry paths are Java strings (non-UTF-8 bytes decoded lossily): compare that way
        List<String> canonical = d.entries().stream()
                .map(e -> new String(e.path().bytes(), StandardCharsets.UTF_8))
                .toList();
        List<String> pending = engine.pendingDelta(v).stream()
                .map(e -> e.path().startsWith("/") ? e.path().substring(1) : e.path())
                .toList();
        assertEquals(d.entries().size(), pending.size() - 1);
        assertEquals(
                new TreeSet<>(pending.stream()
                        .filter(p -> !p.equals("src/old/gone.c"))
                        .collect(Collectors.toList())),
                new TreeSet<>(canonical),
                "a deleted directory is one canonical entry; the engine may list its contents too");
        assertTrue(canonical.contains("src/keep.c"));
    }

    @Test
    void exportFromOneViewImportIntoAnotherGivesTheSameTree() throws Exception {
        View a = engine.createView("a", Isolation.SNAPSHOT, 0);
        change(a);
        engine.setxattr(a, engine.resolve(a, "src/run.sh"), "user.note", b("v1"), 0);
        engine.link(a, engine.resolve(a, "src/run.sh"), engine.resolve(a, "a b"), b("run-link"));
        ViewTreeSource base = new ViewTreeSource(engine, ViewDiff.baseOf(engine, a));
        ViewTreeSource after = new ViewTreeSource(engine, a);
        Delta d = new DeltaComputer(ObjectFormat.SHA256, false).compute(base, after);
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        new OciLayerWriter(OciLayerWriter.Options.defaults()).write(d, base, after, tar);

        View b = engine.createView("b", Isolation.SNAPSHOT, 0);
        new OciLayerImporter(OciLayerImporter.Options.defaults())
                .apply(new ByteArrayInputStream(tar.toByteArray()), new ViewTreeSink(engine, b, Caller.ROOT));
        for (TreeIdOptions o :
                List.of(TreeIdOptions.git(ObjectFormat.SHA1), TreeIdOptions.extended(ObjectFormat.SHA256, false))) {
            assertEquals(
                    new TreeHasher(o).hash(after, TreePath.root()),
                    new TreeHasher(o).hash(new ViewTreeSource(engine, b), TreePath.root()),
                    o.toString());
        }
        // the pending-delta scope skips untouched subtrees and changes nothing in the result
        PendingScopeTreeSource.Scope scope = PendingScopeTreeSource.Scope.of(engine.pendingDelta(a), base, after);
        assertEquals(d, new DeltaComputer(ObjectFormat.SHA256, false).compute(scope.wrap(base), scope.wrap(after)));
        // the same change, reached by another route: equal delta ids
        Delta db = new DeltaComputer(ObjectFormat.SHA256, false)
                .compute(new ViewTreeSource(engine, ViewDiff.baseOf(engine, b)), new ViewTreeSource(engine, b));
        assertEquals(d.id(), db.id());
    }

    @Test
    void scopedDeltaEqualsTheFullWalkForMetadataOnlyChanges() throws Exception {
        View v = engine.createView("v", Isolation.SNAPSHOT, 0);
        engine.setxattr(v, engine.resolve(v, "src/keep.c"), "user.k", b("1"), 0);
        engine.setattr(v, engine.resolve(v, "README"), AttributeChange.owner(7, 8));
        engine.link(v, engine.resolve(v, "src/old/gone.c"), Engine.ROOT, b("hard"));
        ViewTreeSource base = new ViewTreeSource(engine, ViewDiff.baseOf(engine, v));
        ViewTreeSource after = new ViewTreeSource(engine, v);
        Delta full = new DeltaComputer(ObjectFormat.SHA1, false).compute(base, after);
        PendingScopeTreeSource.Scope scope = PendingScopeTreeSource.Scope.of(engine.pendingDelta(v), base, after);
        assertEquals(full, new DeltaComputer(ObjectFormat.SHA1, false).compute(scope.wrap(base), scope.wrap(after)));
        assertEquals(
                List.of("README", "hard", "src/keep.c", "src/old/gone.c"),
                full.entries().stream().map(e -> e.path().toString()).toList());
    }

    @Test
    void aCallerReadsOnlyWhatItsModeBitsAllow() throws Exception {
        View v = engine.createView("v", Isolation.SNAPSHOT, 0);
        long secret =
                engine.mkdir(v, Engine.ROOT, b("secret"), 0700, Caller.ROOT).ino();
        file(v, secret, b("key"), "k", 0644);
        file(v, Engine.ROOT, b("private"), "p", 0600);
        ViewTreeSource s = new ViewTreeSource(engine, v);
        var user = CallerAccessTreeSource.forCaller(s, 1000, Set.of(1000L));
        TreeHasher h = new TreeHasher(TreeIdOptions.git(ObjectFormat.SHA1));
        assertThrows(AccessDeniedException.class, () -> h.hash(user, TreePath.root()));
        assertThrows(AccessDeniedException.class, () -> h.hash(user, TreePath.of("secret/key")));
        assertThrows(AccessDeniedException.class, () -> h.hash(user, TreePath.of("private")));
        assertEquals(h.hash(s, TreePath.of("src")), h.hash(user, TreePath.of("src")));
        // group members read what the group may; root is not checked
        engine.setattr(v, secret, AttributeChange.owner(0, 1000));
        engine.setattr(v, secret, AttributeChange.perm(0750));
        assertEquals(
                h.hash(s, TreePath.of("secret")),
                h.hash(CallerAccessTreeSource.forCaller(s, 1000, Set.of(1000L)), TreePath.of("secret")));
        assertTrue(CallerAccessTreeSource.forCaller(s, 0, Set.of()) == s);
    }

    /** Counts list calls, to see which directories a hash reads. */
    private static final class CountingLists extends ForwardingTreeSource {
        final List<TreePath> listed = new ArrayList<>();

        CountingLists(TreeSource inner) {
            super(inner);
        }

        @Override
        public List<Name> list(TreePath dir) throws IOException {
            listed.add(dir);
            return super.list(dir);
        }
    }

    @Test
    void snapshotTokensMakeAViewRehashReadOnlyTheChangedPath() throws Exception {
        View v = engine.createView("v", Isolation.SNAPSHOT, 0);
        for (int d = 0; d < 5; d++) {
            long dir =
                    engine.mkdir(v, Engine.ROOT, b("d" + d), 0755, Caller.ROOT).ino();
            file(v, engine.mkdir(v, dir, b("sub"), 0755, Caller.ROOT).ino(), b("f"), "x" + d, 0644);
        }
        engine.publish(v, false);
        HashCache cache = new HashCache(10_000);
        TreeIdOptions git = TreeIdOptions.git(ObjectFormat.SHA1);
        var published = SnapshotTokenSources.published(engine);
        assertEquals(
                new TreeHasher(git).hash(new ViewTreeSource(engine, engine.published()), TreePath.root()),
                new TreeHasher(git, cache).hash(published, TreePath.root()));

        View w = engine.createView("w", Isolation.SNAPSHOT, 0);
        engine.write(w, engine.resolve(w, "d3/sub/f"), 0, b("changed"));
        CountingLists counted = new CountingLists(SnapshotTokenSources.view(engine, w));
        assertEquals(
                new TreeHasher(git).hash(new ViewTreeSource(engine, w), TreePath.root()),
                new TreeHasher(git, cache).hash(counted, TreePath.root()));
        assertEquals(
                List.of(TreePath.root(), TreePath.of("d3"), TreePath.of("d3/sub")),
                counted.listed,
                "only the changed file's ancestors are listed again");
        // a write during or after the hash never changes what the tokens name
        engine.write(w, engine.resolve(w, "d1/sub/f"), 0, b("later"));
        assertEquals(
                new TreeHasher(git).hash(new ViewTreeSource(engine, engine.published()), TreePath.root()),
                new TreeHasher(git, cache).hash(SnapshotTokenSources.published(engine), TreePath.root()));
        assertEquals(
                new TreeHasher(git).hash(new ViewTreeSource(engine, w), TreePath.root()),
                new TreeHasher(git, cache).hash(SnapshotTokenSources.view(engine, w), TreePath.root()));
    }

    @Test
    void aRejectedLayerChangesNothingInTheView() throws Exception {
        View v = engine.createView("v", Isolation.SNAPSHOT, 0);
        byte[] garbage = new byte[700];
        garbage[0] = 'x';
        assertThrows(
                LayerRejectedException.class,
                () -> new OciLayerImporter(OciLayerImporter.Options.defaults())
                        .apply(new ByteArrayInputStream(garbage), new ViewTreeSink(engine, v, Caller.ROOT)));
        assertTrue(engine.pendingDelta(v).isEmpty());
    }
}
