package io.txfs.core;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The redo plan of a flush, committed to the store before the backing directory is touched. Every step
 * is idempotent given the identities it records, so recovery simply runs the whole plan again.
 */
final class FlushPlan {
    enum Kind { PATCH, MOVE_OUT, PLACE, LINK, META, CLEANUP, FSYNC_DIR, REPLACE }

    /** node: a node id; path/other: paths relative to the backing root; ino: the expected inode. */
    record Step(Kind kind, long node, String path, String other, long ino) {}

    long head;
    long version;
    long bytes;
    final List<Step> steps = new ArrayList<>();
    /** Nodes whose backing identity is re-read after apply, with their final path. */
    final List<Step> identify = new ArrayList<>();

    byte[] encode() {
        try {
            ByteArrayOutputStream bo = new ByteArrayOutputStream();
            DataOutputStream o = new DataOutputStream(bo);
            o.writeByte(1);
            o.writeLong(head);
            o.writeLong(version);
            o.writeLong(bytes);
            writeSteps(o, steps);
            writeSteps(o, identify);
            return bo.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static FlushPlan decode(byte[] b) {
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(b));
            if (in.readByte() != 1) throw new IllegalStateException("unknown flush plan format");
            FlushPlan p = new FlushPlan();
            p.head = in.readLong();
            p.version = in.readLong();
            p.bytes = in.readLong();
            readSteps(in, p.steps);
            readSteps(in, p.identify);
            return p;
        } catch (IOException e) {
            throw new IllegalStateException("corrupt flush plan", e);
        }
    }

    private static void writeSteps(DataOutputStream o, List<Step> steps) throws IOException {
        o.writeInt(steps.size());
        for (Step s : steps) {
            o.writeByte(s.kind().ordinal());
            o.writeLong(s.node());
            o.writeUTF(s.path() == null ? "" : s.path());
            o.writeUTF(s.other() == null ? "" : s.other());
            o.writeLong(s.ino());
        }
    }

    private static void readSteps(DataInputStream in, List<Step> steps) throws IOException {
        int n = in.readInt();
        for (int i = 0; i < n; i++) {
            steps.add(new Step(Kind.values()[in.readByte()], in.readLong(), in.readUTF(), in.readUTF(), in.readLong()));
        }
    }
}
