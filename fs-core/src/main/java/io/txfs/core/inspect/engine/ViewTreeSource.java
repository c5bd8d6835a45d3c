package io.txfs.core.inspect.engine;

import io.txfs.core.Engine;
import io.txfs.core.inspect.EntryStat;
import io.txfs.core.inspect.Name;
import io.txfs.core.inspect.TreePath;
import io.txfs.core.inspect.TreeSource;
import io.txfs.core.model.DirEntry;
import io.txfs.core.model.FileType;
import io.txfs.core.model.FsException;
import io.txfs.core.model.NodeAttributes;
import io.txfs.core.tree.View;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A view of the engine (or the published pseudo-view, or {@code ViewDiff.baseOf}) as a {@link TreeSource}.
 * Names are the engine's raw bytes; {@code .txfs} at the root never appears. The inode key is the
 * engine's stable node number, so hard links share it.
 *
 * <p>No version tokens: a live view changes under its reader, and a node's ctime cannot stand in for
 * one (a directory's ctime does not move when something deep below it changes). Hashing it alone reads
 * all of it; {@link SnapshotTokenSources} adds tokens for published versions and a view's untouched
 * parts (docs/inspection.md, "Engine adapters").
 *
 * <p>Each call is one engine read of the view as it is at that moment: a source used while the view
 * is being written sees some of those writes. Paths resolved once are remembered (path to node), which
 * is exact for the read-only published state and for a view nobody writes during one hash or diff.
 */
public final class ViewTreeSource implements TreeSource {
    private final Engine engine;
    private final View view;
    private final Map<TreePath, Long> nodes = new ConcurrentHashMap<>();

    public ViewTreeSource(Engine engine, View view) {
        this.engine = engine;
        this.view = view;
        nodes.put(TreePath.root(), Engine.ROOT);
    }

    public View view() {
        return view;
    }

    /** The node at {@code path} if a listing or lookup already found it, else null (no engine call). */
    Long knownNode(TreePath path) {
        return nodes.get(path);
    }

    /** The node at {@code path}, looked up name by name from the nearest remembered ancestor. */
    long node(TreePath path) throws IOException {
        Long known = nodes.get(path);
        if (known != null) {
            return known;
        }
        long parent = node(path.parent());
        byte[] name = path.name().bytes();
        if (parent == Engine.ROOT && Arrays.equals(name, EngineTrees.RESERVED)) {
            throw new NoSuchFileException(path.toString());
        }
        try {
            long ino = engine.lookup(view, parent, name).ino();
            nodes.put(path, ino);
            return ino;
        } catch (FsException e) {
            throw EngineTrees.io(e, path);
        }
    }

    @Override
    public List<Name> list(TreePath dir) throws IOException {
        long ino = node(dir);
        List<DirEntry> entries;
        try {
            entries = engine.readdir(view, ino);
        } catch (FsException e) {
            throw EngineTrees.io(e, dir);
        }
        List<Name> out = new ArrayList<>(entries.size());
        for (DirEntry d : entries) {
            if (ino == Engine.ROOT && Arrays.equals(d.name(), EngineTrees.RESERVED)) {
                continue;
            }
            Name n = Name.of(d.name());
            out.add(n);
            nodes.put(dir.resolve(n), d.ino());
        }
        // the engine lists in name-byte order already; the contract needs it, so do not rely on that
        out.sort(null);
        return out;
    }

    @Override
    public EntryStat stat(TreePath path) throws IOException {
        NodeAttributes a = attr(path);
        return new EntryStat(
                EngineTrees.kind(a.type()),
                a.perm() & 07777,
                Integer.toUnsignedLong(a.uid()),
                Integer.toUnsignedLong(a.gid()),
                a.type() == FileType.REGULAR || a.type() == FileType.SYMLINK ? a.size() : 0,
                a.mtimeNs(),
                a.type() == FileType.CHAR_DEVICE || a.type() == FileType.BLOCK_DEVICE ? a.rdev() : 0,
                a.nlink(),
                a.ino());
    }

    private NodeAttributes attr(TreePath path) throws IOException {
        long ino = node(path);
        try {
            return engine.getattr(view, ino);
        } catch (FsException e) {
            throw EngineTrees.io(e, path);
        }
    }

    @Override
    public SortedMap<Name, byte[]> xattrs(TreePath path) throws IOException {
        long ino = node(path);
        SortedMap<Name, byte[]> out = new TreeMap<>();
        try {
            for (String name : engine.listxattr(view, ino)) {
                out.put(Name.xattr(name.getBytes(StandardCharsets.UTF_8)), engine.getxattr(view, ino, name));
            }
        } catch (FsException e) {
            throw EngineTrees.io(e, path);
        }
        return out;
    }

    @Override
    public InputStream open(TreePath path) throws IOException {
        long ino = node(path);
        NodeAttributes a = attr(path);
        if (a.type() != FileType.REGULAR) {
            throw new IOException(path + " is not a regular file");
        }
        return new NodeInputStream(ino, path);
    }

    @Override
    public byte[] readLink(TreePath path) throws IOException {
        long ino = node(path);
        try {
            return engine.readlink(view, ino);
        } catch (FsException e) {
            throw EngineTrees.io(e, path);
        }
    }

    /** Reads a file a chunk at a time, to EOF as the engine sees it at each read. */
    private final class NodeInputStream extends InputStream {
        private final long ino;
        private final TreePath path;
        private long offset;
        private byte[] chunk = new byte[0];
        private int pos;
        private boolean eof;

        NodeInputStream(long ino, TreePath path) {
            this.ino = ino;
            this.path = path;
        }

        private boolean fill() throws IOException {
            if (pos < chunk.length) {
                return true;
            }
            if (eof) {
                return false;
            }
            try {
                chunk = engine.read(view, ino, offset, Engine.CHUNK);
            } catch (FsException e) {
                throw EngineTrees.io(e, path);
            }
            pos = 0;
            offset += chunk.length;
            if (chunk.length == 0) {
                eof = true;
                return false;
            }
            return true;
        }

        @Override
        public int read() throws IOException {
            return fill() ? chunk[pos++] & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (!fill()) {
                return -1;
            }
            int n = Math.min(len, chunk.length - pos);
            System.arraycopy(chunk, pos, b, off, n);
            pos += n;
            return n;
        }
    }
}
