package io.txfs.core.format;

import io.txfs.core.model.LogEntry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Published-log values: [format][kind: 'p' publish, 'f' flush, 'o' outside change taken in][time][paths][bytes][view utf-8]. */
public final class LogCodec {
    private LogCodec() {}

    public static byte[] encode(String kind, String view, long timeNs, long paths, long bytes) {
        byte[] v = view.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(2 + 24 + v.length)
                .put((byte) 1)
                .put((byte) kind.charAt(0))
                .putLong(timeNs)
                .putLong(paths)
                .putLong(bytes)
                .put(v)
                .array();
    }

    public static LogEntry decode(long version, byte[] b) {
        ByteBuffer bb = ByteBuffer.wrap(b);
        if (bb.get() != 1) throw new IllegalStateException("unknown log format");
        byte k = bb.get();
        String kind = k == 'p' ? "publish" : k == 'o' ? "outside" : "flush";
        long t = bb.getLong();
        long paths = bb.getLong();
        long bytes = bb.getLong();
        byte[] v = new byte[bb.remaining()];
        bb.get(v);
        return new LogEntry(version, kind, new String(v, StandardCharsets.UTF_8), t, paths, bytes);
    }
}
