package io.txfs.core.flush;

import io.txfs.core.backing.Backing;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The redo plan of a flush, committed to the store before the backing directory is touched. Every step
 * is idempotent given the identities it records, so recovery simply runs the whole plan again.
 */
final class FlushPlan {
    enum Kind {
        PATCH,
        MOVE_OUT,
        PLACE,
        LINK,
        META,
        CLEANUP,
        FSYNC_DIR,
        REPLACE
    }

    /**
     * node: a node id; path/other: raw paths relative to the backing root (Backing.raw: one char per
     * name byte); ino: the expected inode.
     */
    record Step(Kind kind, long node, String path, String other, long ino) {}

    long head;
    long version;
    long bytes;
    final List<Step> steps = new ArrayList<>();
    /** Nodes whose backing identity is re-read after apply, with their final path. */
    final List<Step> identify = new ArrayList<>();

    /**
     * The nodes whose file content the plan writes: patched in place, rewritten whole, or placed as a new
     * object (a PLACE of a node no step moved out; moved objects keep their content).
     */
    Set<Long> contentWritten() {
        Set<Long> movedOut = new HashSet<>();
        for (Step s : steps) if (s.kind() == Kind.MOVE_OUT) movedOut.add(s.node());
        Set<Long> out = new HashSet<>();
        for (Step s : steps) {
            switch (s.kind()) {
                case PATCH, REPLACE -> out.add(s.node());
                case PLACE -> {
                    if (!movedOut.contains(s.node())) out.add(s.node());
                }
                default -> {}
            }
        }
        return out;
    }

    byte[] encode() {
        try {
            ByteArrayOutputStream bo = new ByteArrayOutputStream();
            DataOutputStream o = new DataOutputStream(bo);
            o.writeByte(2);
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
            int format = in.readByte();
            if (format != 1 && format != 2) throw new IllegalStateException("unknown flush plan format");
            FlushPlan p = new FlushPlan();
            p.head = in.readLong();
            p.version = in.readLong();
            p.bytes = in.readLong();
            readSteps(in, p.steps, format);
            readSteps(in, p.identify, format);
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

    private static void readSteps(DataInputStream in, List<Step> steps, int format) throws IOException {
        int n = in.readInt();
        for (int i = 0; i < n; i++) {
            steps.add(new Step(
                    Kind.values()[in.readByte()],
                    in.readLong(),
                    path(in.readUTF(), format),
                    path(in.readUTF(), format),
                    in.readLong()));
        }
    }

    /** Format 1 held paths decoded as UTF-8; format 2 holds raw paths (one char per byte). */
    private static String path(String s, int format) {
        return format == 1 ? Backing.raw(s.getBytes(StandardCharsets.UTF_8)) : s;
    }
}
