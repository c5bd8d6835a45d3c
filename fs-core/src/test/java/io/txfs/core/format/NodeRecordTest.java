package io.txfs.core.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;

import io.txfs.core.model.FileType;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The record encoding is a storage format: byte-for-byte format 3, and format 2 records still decode. */
class NodeRecordTest {

    @Test
    void encodingIsTheStoredFormatAndRoundTrips() throws IOException {
        Random rnd = new Random(11);
        for (int i = 0; i < 200; i++) {
            NodeRecord r = random(rnd);
            byte[] enc = r.encode();
            assertArrayEquals(reference(r, 3), enc);
            assertArrayEquals(enc, NodeRecord.decode(enc).encode());
            assertEquals(r.bornLayer, NodeRecord.bornLayer(enc));
        }
    }

    @Test
    void formatTwoRecordsDecodeWithBaseGenZero() throws IOException {
        Random rnd = new Random(12);
        for (int i = 0; i < 50; i++) {
            NodeRecord r = random(rnd);
            byte[] v2 = reference(r, 2);
            assertEquals(r.bornLayer, NodeRecord.bornLayer(v2));
            NodeRecord d = NodeRecord.decode(v2);
            assertEquals(0, d.bgen);
            r.bgen = 0;
            assertArrayEquals(r.encode(), d.encode());
        }
    }

    @Test
    void copyIsIndependentOfTheOriginal() {
        NodeRecord r = random(new Random(5));
        r.chainLayer = new long[] {7};
        r.chainValid = new long[] {100};
        byte[] before = r.encode();
        NodeRecord c = r.copy();
        assertArrayEquals(before, c.encode());
        c.chainValid[0] = 1;
        c.links.add(new EntryName(99, new byte[] {'z'}));
        c.xattrs.put("user.new", new byte[] {1});
        c.size++;
        assertArrayEquals(before, r.encode());
        assertNotSame(r.links, c.links);
    }

    private static NodeRecord random(Random rnd) {
        NodeRecord r = new NodeRecord();
        r.type = FileType.values()[rnd.nextInt(FileType.values().length)];
        r.perm = rnd.nextInt(07777);
        r.uid = rnd.nextInt();
        r.gid = rnd.nextInt();
        r.nlink = rnd.nextInt(5);
        r.size = rnd.nextLong();
        r.atime = rnd.nextLong();
        r.mtime = rnd.nextLong();
        r.ctime = rnd.nextLong();
        r.rdev = rnd.nextLong();
        for (int k = rnd.nextInt(3); k > 0; k--)
            r.links.add(new EntryName(rnd.nextLong(), bytes(rnd, 1 + rnd.nextInt(20))));
        r.backedDir = rnd.nextBoolean();
        r.target = bytes(rnd, rnd.nextInt(30));
        String[] names = {"user.a", "trusted.x", "user.ünï", "user.\u0000nul", "user.\uD83D\uDE00"};
        for (int k = rnd.nextInt(4); k > 0; k--)
            r.xattrs.put(names[rnd.nextInt(names.length)], bytes(rnd, rnd.nextInt(40)));
        int n = rnd.nextInt(4);
        r.chainLayer = new long[n];
        r.chainValid = new long[n];
        for (int k = 0; k < n; k++) {
            r.chainLayer[k] = rnd.nextLong();
            r.chainValid[k] = rnd.nextLong();
        }
        r.hasBase = rnd.nextBoolean();
        r.bdev = rnd.nextLong();
        r.bino = rnd.nextLong();
        r.bsize = rnd.nextLong();
        r.bmtime = rnd.nextLong();
        r.baseValid = rnd.nextLong();
        r.bgen = rnd.nextLong();
        r.bornLayer = rnd.nextLong();
        return r;
    }

    private static byte[] bytes(Random rnd, int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        return b;
    }

    /** Format 2 as the DataOutputStream encoder wrote it before the ByteBuffer one; 3 adds the base gen. */
    private static byte[] reference(NodeRecord r, int format) throws IOException {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        DataOutputStream o = new DataOutputStream(bo);
        o.writeByte(format);
        o.writeByte(r.type.ordinal());
        o.writeInt(r.perm);
        o.writeInt(r.uid);
        o.writeInt(r.gid);
        o.writeInt(r.nlink);
        o.writeLong(r.size);
        o.writeLong(r.atime);
        o.writeLong(r.mtime);
        o.writeLong(r.ctime);
        o.writeLong(r.rdev);
        o.writeInt(r.links.size());
        for (EntryName l : r.links) {
            o.writeLong(l.parent());
            o.writeInt(l.name().length);
            o.write(l.name());
        }
        o.writeBoolean(r.backedDir);
        o.writeInt(r.target.length);
        o.write(r.target);
        o.writeInt(r.xattrs.size());
        for (var e : r.xattrs.entrySet()) {
            o.writeUTF(e.getKey());
            o.writeInt(e.getValue().length);
            o.write(e.getValue());
        }
        o.writeInt(r.chainLayer.length);
        for (int i = 0; i < r.chainLayer.length; i++) {
            o.writeLong(r.chainLayer[i]);
            o.writeLong(r.chainValid[i]);
        }
        o.writeBoolean(r.hasBase);
        o.writeLong(r.bdev);
        o.writeLong(r.bino);
        o.writeLong(r.bsize);
        o.writeLong(r.bmtime);
        o.writeLong(r.baseValid);
        if (format >= 3) o.writeLong(r.bgen);
        o.writeLong(r.bornLayer);
        return bo.toByteArray();
    }

    @Test
    void nonAsciiXattrNamesSurvive() {
        NodeRecord r = random(new Random(1));
        r.xattrs.clear();
        r.xattrs.put("user.日本", "v".getBytes(StandardCharsets.UTF_8));
        assertEquals(r.xattrs.keySet(), NodeRecord.decode(r.encode()).xattrs.keySet());
    }
}
