package io.txfs.core.format;

import io.txfs.core.model.FileType;
import io.txfs.core.model.Identity;
import io.txfs.core.store.Bytes;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Everything about one node in one layer/version. Content of a regular file = the chunk layers of
 * {@link #chainLayer} (newest first; chunks of entry i are valid below chainValid[i]) over the backing
 * file identified by the base identity, valid below baseValid, zeros elsewhere. Mutable; copy before
 * changing a record read from the store.
 */
public final class NodeRecord {
    /**
     * 2 adds bornLayer at the end, 3 the base's gen before it; records of formats 1 and 2 still decode
     * (their base gen is 0: no store of those formats distinguished contents by it).
     */
    static final byte FORMAT = 3;

    public FileType type;
    public int perm;
    public int uid;
    public int gid;
    public int nlink;
    public long size;
    public long atime;
    public long mtime;
    public long ctime;
    public long rdev;
    public List<EntryName> links = new ArrayList<>();
    public boolean backedDir;
    public byte[] target = new byte[0];
    public TreeMap<String, byte[]> xattrs = new TreeMap<>();
    public long[] chainLayer = new long[0];
    public long[] chainValid = new long[0];
    public boolean hasBase;
    public long bdev;
    public long bino;
    public long bsize;
    public long bmtime;
    /** Identity.gen of the base. */
    public long bgen;

    public long baseValid;
    /** The layer that created the node (0 if listed from the backing directory or unknown). */
    public long bornLayer;

    /** bornLayer of an encoded record without decoding it. */
    public static long bornLayer(byte[] encoded) {
        return encoded[0] >= 2 ? Bytes.getLong(encoded, encoded.length - 8) : 0;
    }

    /** nlink of an encoded record without decoding it (it sits after format, type, perm, uid, gid). */
    public static int nlink(byte[] encoded) {
        return (encoded[14] & 0xff) << 24
                | (encoded[15] & 0xff) << 16
                | (encoded[16] & 0xff) << 8
                | (encoded[17] & 0xff);
    }

    /** An independent copy (arrays and collections copied; names and values are never changed in place). */
    public NodeRecord copy() {
        NodeRecord r = new NodeRecord();
        r.type = type;
        r.perm = perm;
        r.uid = uid;
        r.gid = gid;
        r.nlink = nlink;
        r.size = size;
        r.atime = atime;
        r.mtime = mtime;
        r.ctime = ctime;
        r.rdev = rdev;
        r.links = new ArrayList<>(links);
        r.backedDir = backedDir;
        r.target = target;
        r.xattrs = new TreeMap<>(xattrs);
        r.chainLayer = chainLayer.clone();
        r.chainValid = chainValid.clone();
        r.hasBase = hasBase;
        r.bdev = bdev;
        r.bino = bino;
        r.bsize = bsize;
        r.bmtime = bmtime;
        r.bgen = bgen;
        r.baseValid = baseValid;
        r.bornLayer = bornLayer;
        return r;
    }

    public boolean isDir() {
        return type == FileType.DIRECTORY;
    }

    public EntryName link() {
        return links.isEmpty() ? null : links.get(0);
    }

    public Identity identity() {
        return hasBase ? new Identity(bdev, bino, bsize, bmtime, bgen) : null;
    }

    public void setIdentity(Identity id) {
        hasBase = id != null;
        if (id != null) {
            bdev = id.dev();
            bino = id.ino();
            bsize = id.size();
            bmtime = id.mtimeNs();
            bgen = id.gen();
        }
    }

    public byte[] encode() {
        byte[][] xnames = new byte[xattrs.size()][];
        int n = 1 + 1 + 4 * 4 + 5 * 8 + 4;
        for (EntryName l : links) n += 8 + 4 + l.name().length;
        n += 1 + 4 + target.length + 4;
        int i = 0;
        for (var e : xattrs.entrySet()) {
            xnames[i] = modifiedUtf8(e.getKey());
            n += xnames[i++].length + 4 + e.getValue().length;
        }
        n += 4 + 16 * chainLayer.length + 1 + 7 * 8;
        ByteBuffer o = ByteBuffer.allocate(n);
        o.put(FORMAT)
                .put((byte) type.ordinal())
                .putInt(perm)
                .putInt(uid)
                .putInt(gid)
                .putInt(nlink)
                .putLong(size)
                .putLong(atime)
                .putLong(mtime)
                .putLong(ctime)
                .putLong(rdev);
        o.putInt(links.size());
        for (EntryName l : links) {
            o.putLong(l.parent());
            putBytes(o, l.name());
        }
        o.put((byte) (backedDir ? 1 : 0));
        putBytes(o, target);
        o.putInt(xattrs.size());
        i = 0;
        for (var e : xattrs.entrySet()) {
            o.put(xnames[i++]);
            putBytes(o, e.getValue());
        }
        o.putInt(chainLayer.length);
        for (int k = 0; k < chainLayer.length; k++) o.putLong(chainLayer[k]).putLong(chainValid[k]);
        o.put((byte) (hasBase ? 1 : 0));
        o.putLong(bdev)
                .putLong(bino)
                .putLong(bsize)
                .putLong(bmtime)
                .putLong(baseValid)
                .putLong(bgen)
                .putLong(bornLayer);
        return o.array();
    }

    public static NodeRecord decode(byte[] b) {
        try {
            ByteBuffer in = ByteBuffer.wrap(b);
            int format = in.get();
            if (format < 1 || format > FORMAT) throw new IllegalStateException("unknown node record format " + format);
            NodeRecord r = new NodeRecord();
            r.type = FileType.values()[in.get()];
            r.perm = in.getInt();
            r.uid = in.getInt();
            r.gid = in.getInt();
            r.nlink = in.getInt();
            r.size = in.getLong();
            r.atime = in.getLong();
            r.mtime = in.getLong();
            r.ctime = in.getLong();
            r.rdev = in.getLong();
            int nl = in.getInt();
            for (int i = 0; i < nl; i++) r.links.add(new EntryName(in.getLong(), getBytes(in)));
            r.backedDir = in.get() != 0;
            r.target = getBytes(in);
            int nx = in.getInt();
            for (int i = 0; i < nx; i++) r.xattrs.put(getModifiedUtf8(in), getBytes(in));
            int nc = in.getInt();
            r.chainLayer = new long[nc];
            r.chainValid = new long[nc];
            for (int i = 0; i < nc; i++) {
                r.chainLayer[i] = in.getLong();
                r.chainValid[i] = in.getLong();
            }
            r.hasBase = in.get() != 0;
            r.bdev = in.getLong();
            r.bino = in.getLong();
            r.bsize = in.getLong();
            r.bmtime = in.getLong();
            r.baseValid = in.getLong();
            if (format >= 3) r.bgen = in.getLong();
            if (format >= 2) r.bornLayer = in.getLong();
            return r;
        } catch (BufferUnderflowException | IndexOutOfBoundsException | NegativeArraySizeException | IOException e) {
            throw new IllegalStateException("corrupt node record", e);
        }
    }

    private static void putBytes(ByteBuffer o, byte[] b) {
        o.putInt(b.length);
        o.put(b);
    }

    private static byte[] getBytes(ByteBuffer in) {
        byte[] b = new byte[in.getInt()];
        in.get(b);
        return b;
    }

    /** Xattr names are stored as DataOutput.writeUTF wrote them in format 1 (length-prefixed modified UTF-8). */
    private static byte[] modifiedUtf8(String s) {
        try {
            ByteArrayOutputStream bo = new ByteArrayOutputStream(2 + s.length());
            new DataOutputStream(bo).writeUTF(s);
            return bo.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException("xattr name " + s, e);
        }
    }

    private static String getModifiedUtf8(ByteBuffer in) throws IOException {
        int len = 2 + Short.toUnsignedInt(in.getShort(in.position()));
        String s = new DataInputStream(new ByteArrayInputStream(in.array(), in.position(), len)).readUTF();
        in.position(in.position() + len);
        return s;
    }
}
