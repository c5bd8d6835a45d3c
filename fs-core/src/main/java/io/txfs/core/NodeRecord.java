package io.txfs.core;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Everything about one node in one layer/version. Content of a regular file = the chunk layers of
 * {@link #chainLayer} (newest first; chunks of entry i are valid below chainValid[i]) over the backing
 * file identified by the base identity, valid below baseValid, zeros elsewhere. Mutable; copy before
 * changing a record read from the store.
 */
final class NodeRecord {
    /** 2 adds bornLayer at the end; format 1 records (without it) still decode. */
    static final byte FORMAT = 2;

    FileType type;
    int perm;
    int uid;
    int gid;
    int nlink;
    long size;
    long atime;
    long mtime;
    long ctime;
    long rdev;
    List<Link> links = new ArrayList<>();
    boolean backedDir;
    byte[] target = new byte[0];
    TreeMap<String, byte[]> xattrs = new TreeMap<>();
    long[] chainLayer = new long[0];
    long[] chainValid = new long[0];
    boolean hasBase;
    long bdev;
    long bino;
    long bsize;
    long bmtime;
    long baseValid;
    /** The layer that created the node (0 if listed from the backing directory or unknown). */
    long bornLayer;

    /** bornLayer of an encoded record without decoding it. */
    static long bornLayer(byte[] encoded) {
        return encoded[0] >= 2 ? io.txfs.core.store.Bytes.getLong(encoded, encoded.length - 8) : 0;
    }

    /** nlink of an encoded record without decoding it (it sits after format, type, perm, uid, gid). */
    static int nlink(byte[] encoded) {
        return (encoded[14] & 0xff) << 24 | (encoded[15] & 0xff) << 16 | (encoded[16] & 0xff) << 8 | (encoded[17] & 0xff);
    }

    NodeRecord copy() {
        NodeRecord r = decode(encode());
        return r;
    }

    boolean isDir() {
        return type == FileType.DIRECTORY;
    }

    Link link() {
        return links.isEmpty() ? null : links.get(0);
    }

    Identity identity() {
        return hasBase ? new Identity(bdev, bino, bsize, bmtime) : null;
    }

    void setIdentity(Identity id) {
        hasBase = id != null;
        if (id != null) {
            bdev = id.dev();
            bino = id.ino();
            bsize = id.size();
            bmtime = id.mtimeNs();
        }
    }

    byte[] encode() {
        try {
            ByteArrayOutputStream bo = new ByteArrayOutputStream(128);
            DataOutputStream o = new DataOutputStream(bo);
            o.writeByte(FORMAT);
            o.writeByte(type.ordinal());
            o.writeInt(perm);
            o.writeInt(uid);
            o.writeInt(gid);
            o.writeInt(nlink);
            o.writeLong(size);
            o.writeLong(atime);
            o.writeLong(mtime);
            o.writeLong(ctime);
            o.writeLong(rdev);
            o.writeInt(links.size());
            for (Link l : links) {
                o.writeLong(l.parent());
                writeBytes(o, l.name());
            }
            o.writeBoolean(backedDir);
            writeBytes(o, target);
            o.writeInt(xattrs.size());
            for (var e : xattrs.entrySet()) {
                o.writeUTF(e.getKey());
                writeBytes(o, e.getValue());
            }
            o.writeInt(chainLayer.length);
            for (int i = 0; i < chainLayer.length; i++) {
                o.writeLong(chainLayer[i]);
                o.writeLong(chainValid[i]);
            }
            o.writeBoolean(hasBase);
            o.writeLong(bdev);
            o.writeLong(bino);
            o.writeLong(bsize);
            o.writeLong(bmtime);
            o.writeLong(baseValid);
            o.writeLong(bornLayer);
            return bo.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static NodeRecord decode(byte[] b) {
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(b));
            int format = in.readByte();
            if (format != 1 && format != FORMAT) throw new IllegalStateException("unknown node record format " + format);
            NodeRecord r = new NodeRecord();
            r.type = FileType.values()[in.readByte()];
            r.perm = in.readInt();
            r.uid = in.readInt();
            r.gid = in.readInt();
            r.nlink = in.readInt();
            r.size = in.readLong();
            r.atime = in.readLong();
            r.mtime = in.readLong();
            r.ctime = in.readLong();
            r.rdev = in.readLong();
            int nl = in.readInt();
            for (int i = 0; i < nl; i++) r.links.add(new Link(in.readLong(), readBytes(in)));
            r.backedDir = in.readBoolean();
            r.target = readBytes(in);
            int nx = in.readInt();
            for (int i = 0; i < nx; i++) r.xattrs.put(in.readUTF(), readBytes(in));
            int nc = in.readInt();
            r.chainLayer = new long[nc];
            r.chainValid = new long[nc];
            for (int i = 0; i < nc; i++) {
                r.chainLayer[i] = in.readLong();
                r.chainValid[i] = in.readLong();
            }
            r.hasBase = in.readBoolean();
            r.bdev = in.readLong();
            r.bino = in.readLong();
            r.bsize = in.readLong();
            r.bmtime = in.readLong();
            r.baseValid = in.readLong();
            if (format >= 2) r.bornLayer = in.readLong();
            return r;
        } catch (IOException e) {
            throw new IllegalStateException("corrupt node record", e);
        }
    }

    private static void writeBytes(DataOutputStream o, byte[] b) throws IOException {
        o.writeInt(b.length);
        o.write(b);
    }

    private static byte[] readBytes(DataInputStream in) throws IOException {
        byte[] b = new byte[in.readInt()];
        in.readFully(b);
        return b;
    }
}
