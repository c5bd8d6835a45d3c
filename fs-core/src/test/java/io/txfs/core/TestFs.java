package io.txfs.core;

import io.txfs.core.model.AttributeChange;
import io.txfs.core.model.Caller;
import io.txfs.core.model.DirEntry;
import io.txfs.core.model.FsException;
import io.txfs.core.model.NodeAttributes;
import io.txfs.core.tree.View;
import io.txfs.sys.Errno;
import io.txfs.sys.RawPaths;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Path-addressed helpers over one view, for tests. */
final class TestFs {
    final Engine engine;
    final View view;

    TestFs(Engine engine, View view) {
        this.engine = engine;
        this.view = view;
    }

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Name bytes written as a string of one char per byte ("\u00ff" is the byte 0xff), UTF-8 or not. */
    static byte[] raw(String oneCharPerByte) {
        return oneCharPerByte.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** The java.nio path below root with exactly these relative path bytes (one char per byte). */
    static Path onDisk(Path root, String oneCharPerByte) {
        return RawPaths.resolve(root, RawPaths.absolute(root), raw(oneCharPerByte));
    }

    /** The node at a path of raw names (one char per byte), looked up name by name. */
    long rawIno(String oneCharPerByte) {
        long cur = Engine.ROOT;
        for (String part : oneCharPerByte.split("/"))
            cur = engine.lookup(view, cur, raw(part)).ino();
        return cur;
    }

    long parent(String path) {
        int i = path.lastIndexOf('/');
        return i <= 0 ? Engine.ROOT : engine.resolve(view, path.substring(0, i));
    }

    byte[] name(String path) {
        return b(path.substring(path.lastIndexOf('/') + 1));
    }

    long ino(String path) {
        return engine.resolve(view, path);
    }

    boolean exists(String path) {
        try {
            ino(path);
            return true;
        } catch (FsException e) {
            if (e.errno() == Errno.ENOENT) return false;
            throw e;
        }
    }

    NodeAttributes stat(String path) {
        return engine.getattr(view, ino(path));
    }

    void mkdir(String path) {
        engine.mkdir(view, parent(path), name(path), 0755, Caller.ROOT);
    }

    void write(String path, String content) {
        write(path, b(content));
    }

    void write(String path, byte[] content) {
        long ino;
        if (exists(path)) {
            ino = ino(path);
            engine.setattr(view, ino, AttributeChange.size(0));
        } else {
            ino = engine.create(view, parent(path), name(path), 0644, Caller.ROOT)
                    .ino();
        }
        if (content.length > 0) engine.write(view, ino, 0, content);
    }

    String read(String path) {
        return new String(readBytes(path), StandardCharsets.UTF_8);
    }

    byte[] readBytes(String path) {
        long ino = ino(path);
        NodeAttributes a = engine.getattr(view, ino);
        return engine.read(view, ino, 0, (int) a.size());
    }

    void rm(String path) {
        engine.unlink(view, parent(path), name(path));
    }

    void rmdir(String path) {
        engine.rmdir(view, parent(path), name(path));
    }

    void mv(String from, String to) {
        engine.rename(view, parent(from), name(from), parent(to), name(to), 0);
    }

    List<String> ls(String path) {
        List<String> out = new ArrayList<>();
        for (DirEntry d : engine.readdir(view, ino(path))) out.add(d.nameString());
        return out;
    }
}
