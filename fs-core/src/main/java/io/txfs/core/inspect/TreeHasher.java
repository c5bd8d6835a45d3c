package io.txfs.core.inspect;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import org.apache.commons.codec.digest.GitIdentifiers;

/**
 * Tree ids of a {@link TreeSource}: git's tree id (what {@code git add -A && git write-tree} gives for
 * the same files) or txfs's extended id; see docs/inspection.md for both definitions.
 *
 * <p>Blob ids come from commons-codec's {@link GitIdentifiers}. Tree objects are serialized here
 * because its TreeIdBuilder takes names as Java strings (non-UTF-8 names cannot be expressed), keeps
 * empty directories (git omits them) and cannot take an already known subtree id (needed to reuse
 * the ids of unchanged subtrees). Node ids are memoized in a {@link HashCache} by the source's
 * version tokens.
 */
public final class TreeHasher {
    private static final byte[] XNODE_TAG = "txfs-xnode-1\0".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] XTREE_TAG = "txfs-xtree-1\0".getBytes(StandardCharsets.US_ASCII);

    private final TreeIdOptions options;
    private final HashCache cache;

    public TreeHasher(TreeIdOptions options) {
        this(options, new HashCache(1 << 20));
    }

    public TreeHasher(TreeIdOptions options, HashCache cache) {
        this.options = options;
        this.cache = cache;
    }

    public TreeIdOptions options() {
        return options;
    }

    /**
     * The id of the entry at {@code path}: for a directory the tree id (the empty tree's id when git
     * would store nothing), for a file or symlink in the git id its blob id.
     */
    public ObjectId hash(TreeSource source, TreePath path) throws IOException {
        EntryStat stat = source.stat(path);
        return options.extended() ? extendedId(source, path, stat) : gitId(source, path, stat);
    }

    /** Git's blob id of {@code size} bytes read from {@code in}; fails if the stream's length differs. */
    public static ObjectId blobId(ObjectFormat format, InputStream in, long size) throws IOException {
        LengthCheckingInputStream counted = new LengthCheckingInputStream(in);
        byte[] id = GitIdentifiers.blobId(format.newDigest(), size, counted);
        if (counted.count() != size) {
            throw new IOException(
                    "content changed while hashing: expected " + size + " bytes, read " + counted.count());
        }
        return new ObjectId(id);
    }

    public static ObjectId blobId(ObjectFormat format, byte[] content) {
        return new ObjectId(GitIdentifiers.blobId(format.newDigest(), content));
    }

    /** The blob id git gives a regular file or a symlink's target. */
    public static ObjectId contentId(ObjectFormat format, TreeSource source, TreePath path, EntryStat stat)
            throws IOException {
        if (stat.kind() == EntryKind.SYMLINK) {
            return blobId(format, source.readLink(path));
        }
        try (InputStream in = source.open(path)) {
            return blobId(format, in, stat.size());
        }
    }

    // ---- git ----

    private record GitNode(String mode, byte[] id) {}

    private record CacheKey(TreeIdOptions options, Object version) {}

    private ObjectId gitId(TreeSource source, TreePath path, EntryStat stat) throws IOException {
        if (stat.kind() == EntryKind.DIRECTORY) {
            GitNode node = gitNode(source, path, stat);
            return node == null ? options.format().emptyTreeId() : new ObjectId(node.id());
        }
        GitNode node = gitNode(source, path, stat);
        if (node == null) {
            throw new UnrepresentableEntryException(path, stat.kind().jsonName() + " has no git id");
        }
        return new ObjectId(node.id());
    }

    /** Null when git would not store the entry (fifos, devices, sockets, directories without files). */
    private GitNode gitNode(TreeSource source, TreePath path, EntryStat stat) throws IOException {
        switch (stat.kind()) {
            case FILE:
                // Like git's ce_permissions(): executable iff the owner may execute.
                return new GitNode(
                        (stat.permissions() & 0100) != 0 ? "100755" : "100644",
                        contentId(options.format(), source, path, stat).rawBytes());
            case SYMLINK:
                return new GitNode(
                        "120000",
                        blobId(options.format(), source.readLink(path)).rawBytes());
            case DIRECTORY:
                return gitTree(source, path);
            default:
                return null;
        }
    }

    private GitNode gitTree(TreeSource source, TreePath dir) throws IOException {
        List<Map.Entry<Name, GitNode>> entries = new ArrayList<>();
        for (Name name : source.list(dir)) {
            TreePath child = dir.resolve(name);
            GitNode node = cachedOrCompute(source, child, () -> gitNode(source, child, source.stat(child)));
            if (node != null) {
                entries.add(Map.entry(name, node));
            }
        }
        if (entries.isEmpty()) {
            return null;
        }
        // Git sorts a directory as if its name ended in '/'.
        entries.sort((a, b) ->
                Arrays.compareUnsigned(gitSortKey(a.getKey(), a.getValue()), gitSortKey(b.getKey(), b.getValue())));
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (Map.Entry<Name, GitNode> e : entries) {
            body.writeBytes(e.getValue().mode().getBytes(StandardCharsets.US_ASCII));
            body.write(' ');
            body.writeBytes(e.getKey().rawBytes());
            body.write(0);
            body.writeBytes(e.getValue().id());
        }
        MessageDigest md = options.format().newDigest();
        md.update(("tree " + body.size() + "\0").getBytes(StandardCharsets.US_ASCII));
        md.update(body.toByteArray());
        return new GitNode("40000", md.digest());
    }

    private static byte[] gitSortKey(Name name, GitNode node) {
        byte[] n = name.rawBytes();
        if (!node.mode().equals("40000")) {
            return n;
        }
        byte[] k = Arrays.copyOf(n, n.length + 1);
        k[n.length] = '/';
        return k;
    }

    // ---- extended ----

    /** A file with more than one link, by path relative to the hashed node. */
    private record LinkedFile(TreePath path, Object inodeKey) {}

    /** id covers the node's own metadata; contentId only what is inside it (children, content). */
    private record XNode(byte[] id, byte[] contentId, List<LinkedFile> links) {}

    private ObjectId extendedId(TreeSource source, TreePath path, EntryStat stat) throws IOException {
        XNode node = xnode(source, path, stat);
        MessageDigest md = options.format().newDigest();
        md.update(XTREE_TAG);
        // The root's own metadata is left out, as git leaves it out: a tree id is about what is inside.
        md.update(stat.kind() == EntryKind.DIRECTORY ? node.contentId() : node.id());
        md.update(encodeLinkGroups(node.links()));
        return new ObjectId(md.digest());
    }

    private XNode xnode(TreeSource source, TreePath path, EntryStat stat) throws IOException {
        byte[] contentId;
        List<LinkedFile> links = new ArrayList<>();
        switch (stat.kind()) {
            case FILE:
                contentId = contentId(options.format(), source, path, stat).rawBytes();
                if (stat.nlink() > 1) {
                    links.add(new LinkedFile(TreePath.root(), stat.inodeKey()));
                }
                break;
            case SYMLINK:
                contentId = source.readLink(path);
                break;
            case DIRECTORY:
                Encoder children = new Encoder();
                List<Name> names = source.list(path);
                children.u32(names.size());
                for (Name name : names) {
                    TreePath child = path.resolve(name);
                    XNode c = cachedOrCompute(source, child, () -> xnode(source, child, source.stat(child)));
                    children.bytes(name.rawBytes()).bytes(c.id());
                    for (LinkedFile l : c.links()) {
                        links.add(new LinkedFile(prepend(name, l.path()), l.inodeKey()));
                    }
                }
                contentId = digest(children.toByteArray());
                break;
            default:
                contentId = new byte[0];
        }
        Encoder e = new Encoder();
        e.raw(XNODE_TAG)
                .bytes(stat.kind().jsonName().getBytes(StandardCharsets.US_ASCII))
                .u32(stat.permissions())
                .u64(stat.uid())
                .u64(stat.gid())
                .u64(stat.kind().isDevice() ? stat.rdev() : 0);
        if (options.mtimes()) {
            e.u64(stat.mtimeNanos());
        }
        SortedMap<Name, byte[]> xattrs = source.xattrs(path);
        e.u32(xattrs.size());
        for (Map.Entry<Name, byte[]> x : xattrs.entrySet()) {
            e.bytes(x.getKey().rawBytes()).bytes(x.getValue());
        }
        e.bytes(contentId);
        return new XNode(digest(e.toByteArray()), contentId, List.copyOf(links));
    }

    private static TreePath prepend(Name first, TreePath rest) {
        TreePath p = TreePath.root().resolve(first);
        for (Name n : rest.names()) {
            p = p.resolve(n);
        }
        return p;
    }

    /** Groups of paths (sorted) that share an inode, groups ordered by their first path. */
    private static byte[] encodeLinkGroups(List<LinkedFile> links) {
        Map<Object, List<TreePath>> byInode = new LinkedHashMap<>();
        for (LinkedFile l : links) {
            byInode.computeIfAbsent(l.inodeKey(), k -> new ArrayList<>()).add(l.path());
        }
        List<List<TreePath>> groups = new ArrayList<>();
        for (List<TreePath> g : byInode.values()) {
            if (g.size() > 1) {
                g.sort(null);
                groups.add(g);
            }
        }
        groups.sort(Comparator.comparing(g -> g.get(0)));
        Encoder e = new Encoder().u32(groups.size());
        for (List<TreePath> g : groups) {
            e.u32(g.size());
            for (TreePath p : g) {
                e.bytes(p.rawBytes());
            }
        }
        return e.toByteArray();
    }

    private byte[] digest(byte[] data) {
        return options.format().newDigest().digest(data);
    }

    // ---- memo ----

    private interface Compute<T> {
        T get() throws IOException;
    }

    private static final Object ABSENT = new Object();

    @SuppressWarnings("unchecked")
    private <T> T cachedOrCompute(TreeSource source, TreePath path, Compute<T> compute) throws IOException {
        Optional<Object> version = source.version(path);
        if (version.isEmpty()) {
            return compute.get();
        }
        CacheKey key = new CacheKey(options, version.get());
        Object hit = cache.get(key);
        if (hit != null) {
            return hit == ABSENT ? null : (T) hit;
        }
        T value = compute.get();
        cache.put(key, value == null ? ABSENT : value);
        return value;
    }

    /** Length-prefixed big-endian fields: unambiguous and independent of the platform. */
    private static final class Encoder {
        private final ByteArrayOutputStream buf = new ByteArrayOutputStream();
        private final DataOutputStream out = new DataOutputStream(buf);

        Encoder raw(byte[] b) {
            buf.writeBytes(b);
            return this;
        }

        Encoder bytes(byte[] b) {
            u32(b.length);
            return raw(b);
        }

        Encoder u32(long v) {
            try {
                out.writeInt((int) v);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            return this;
        }

        Encoder u64(long v) {
            try {
                out.writeLong(v);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            return this;
        }

        byte[] toByteArray() {
            return buf.toByteArray();
        }
    }

    /** Counts what was read so a file that changed length under us is noticed. */
    private static final class LengthCheckingInputStream extends FilterInputStream {
        private long count;

        LengthCheckingInputStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }

        long count() {
            return count;
        }
    }
}
