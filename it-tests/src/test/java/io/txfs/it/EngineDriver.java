package io.txfs.it;

import io.txfs.core.Engine;
import io.txfs.core.EngineConfig;
import io.txfs.core.model.AttributeChange;
import io.txfs.core.model.Caller;
import io.txfs.core.model.DirEntry;
import io.txfs.core.model.FileType;
import io.txfs.core.model.FsException;
import io.txfs.core.model.Isolation;
import io.txfs.core.model.NodeAttributes;
import io.txfs.core.tree.View;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * {@link FsDriver} over the engine itself, in-process and without FUSE: a RocksDB engine on an empty
 * backing directory of its own, one snapshot view (what {@code txfs run} makes), every call as root.
 * Paths are looked up name by name (never following a symlink), as the kernel would send each step.
 */
final class EngineDriver implements FsDriver {
    private final Path dir;
    private final Engine engine;
    private final View view;
    private final String base;

    EngineDriver(String caseName) {
        try {
            dir = Files.createTempDirectory("txfs-it-engine-");
            engine = Engine.open(
                    EngineConfig.rocks(Files.createDirectory(dir.resolve("backing")), dir.resolve("state")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        view = engine.createView("suite", Isolation.SNAPSHOT, 0);
        base = caseName;
        mkdir("", 0755); // the case's own directory, as in a mount
    }

    @Override
    public String describe() {
        return "the engine in-process (view " + view.name() + ", state in " + dir + ")";
    }

    private static <T> T call(String what, Supplier<T> op) {
        try {
            return op.get();
        } catch (FsException e) {
            throw new Failure(e.errno().name(), what + ": " + e.getMessage());
        }
    }

    private static void run(String what, Runnable op) {
        call(what, () -> {
            op.run();
            return null;
        });
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private String full(String path) {
        return path.isEmpty() ? base : base + "/" + path;
    }

    private long ino(String path) {
        return engine.resolve(view, full(path));
    }

    private long parent(String path) {
        String f = full(path);
        int i = f.lastIndexOf('/');
        return i < 0 ? Engine.ROOT : engine.resolve(view, f.substring(0, i));
    }

    private static byte[] name(String path) {
        return path.substring(path.lastIndexOf('/') + 1).getBytes(StandardCharsets.UTF_8);
    }

    private static String typeOf(FileType t) {
        return FsDriver.Stat.typeOf(t.bits());
    }

    @Override
    public void mkdir(String path, int mode) {
        run("mkdir " + path, () -> engine.mkdir(view, parent(path), name(full(path)), mode, Caller.ROOT));
    }

    @Override
    public void create(String path, String content) {
        run("create " + path, () -> {
            long ino = engine.create(view, parent(path), name(path), 0644, Caller.ROOT)
                    .ino();
            if (!content.isEmpty()) {
                engine.write(view, ino, 0, bytes(content));
            }
        });
    }

    @Override
    public void pwrite(String path, long offset, String content) {
        run("pwrite " + path, () -> {
            long ino = ino(path);
            engine.open(view, ino, true, false);
            engine.write(view, ino, offset, bytes(content));
        });
    }

    @Override
    public String read(String path) {
        return call("read " + path, () -> {
            long ino = ino(path);
            engine.open(view, ino, false, false);
            NodeAttributes a = engine.getattr(view, ino);
            return new String(engine.read(view, ino, 0, (int) a.size()), StandardCharsets.ISO_8859_1);
        });
    }

    @Override
    public void unlink(String path) {
        run("unlink " + path, () -> engine.unlink(view, parent(path), name(path)));
    }

    @Override
    public void rmdir(String path) {
        run("rmdir " + path, () -> engine.rmdir(view, parent(path), name(path)));
    }

    @Override
    public void rename(String from, String to) {
        run("rename " + from + " " + to, () -> engine.rename(view, parent(from), name(from), parent(to), name(to), 0));
    }

    @Override
    public void link(String existing, String newPath) {
        run("link " + existing + " " + newPath, () -> engine.link(view, ino(existing), parent(newPath), name(newPath)));
    }

    @Override
    public void symlink(String target, String path) {
        run("symlink " + path, () -> engine.symlink(view, parent(path), name(path), bytes(target), Caller.ROOT));
    }

    @Override
    public String readlink(String path) {
        return call(
                "readlink " + path, () -> new String(engine.readlink(view, ino(path)), StandardCharsets.ISO_8859_1));
    }

    @Override
    public void mkfifo(String path) {
        run("mkfifo " + path, () -> engine.mknod(view, parent(path), name(path), FileType.FIFO, 0644, 0, Caller.ROOT));
    }

    @Override
    public Stat stat(String path) {
        return call("stat " + path, () -> {
            NodeAttributes a = engine.getattr(view, ino(path));
            return new Stat(typeOf(a.type()), a.perm(), a.nlink(), a.size(), a.ino());
        });
    }

    @Override
    public List<String> list(String path) {
        return call("readdir " + path, () -> {
            List<String> names = new ArrayList<>();
            for (DirEntry d : engine.readdir(view, ino(path))) {
                if (!d.nameString().equals(".") && !d.nameString().equals("..")) {
                    names.add(d.nameString());
                }
            }
            names.sort(null);
            return names;
        });
    }

    @Override
    public List<String> entries(String path) {
        return call("readdir " + path, () -> {
            List<String> out = new ArrayList<>();
            for (DirEntry d : engine.readdir(view, ino(path))) {
                if (!d.nameString().equals(".") && !d.nameString().equals("..")) {
                    String t = typeOf(d.type());
                    out.add(d.nameString() + " " + (t.equals("fifo") ? "other" : t));
                }
            }
            out.sort(null);
            return out;
        });
    }

    @Override
    public void chmod(String path, int mode) {
        run("chmod " + path, () -> engine.setattr(view, ino(path), AttributeChange.perm(mode)));
    }

    @Override
    public void truncate(String path, long size) {
        run("truncate " + path, () -> engine.setattr(view, ino(path), AttributeChange.size(size)));
    }

    @Override
    public void setxattr(String path, String name, String value, int flags) {
        run("setxattr " + path, () -> engine.setxattr(view, ino(path), name, bytes(value), flags));
    }

    @Override
    public String getxattr(String path, String name) {
        return call(
                "getxattr " + path,
                () -> new String(engine.getxattr(view, ino(path), name), StandardCharsets.ISO_8859_1));
    }

    @Override
    public List<String> listxattr(String path) {
        return call(
                "listxattr " + path,
                () -> engine.listxattr(view, ino(path)).stream()
                        .filter(n -> n.startsWith("user."))
                        .sorted()
                        .toList());
    }

    @Override
    public void removexattr(String path, String name) {
        run("removexattr " + path, () -> engine.removexattr(view, ino(path), name));
    }

    @Override
    public void close() {
        try {
            engine.close();
        } finally {
            TranscriptComparison.deleteTree(dir);
        }
    }
}
