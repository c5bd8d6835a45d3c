package io.txfs.core.trace;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The access traces of the views that record one (docs/reproducibility.md, "Access traces"): per view, each
 * (kind, path) the first time it happens, in that order. Stored with the view: one file per view id in the
 * state directory's {@code traces/}, a line per entry ({@code KIND PATH}, the path percent-encoded), written
 * as it happens (no fsync: a killed daemon loses nothing the kernel was given; a crashed machine may lose
 * the last lines, as a trace is a record of what ran, not data). Without a directory (a memory store)
 * traces live in memory only.
 */
public final class AccessTraces implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AccessTraces.class);
    private static final String SUFFIX = ".trace";

    private final Path dir;
    private final Map<Long, Trace> traces = new ConcurrentHashMap<>();

    /**
     * One view's trace, guarded by itself: what it has seen, and the file its entries are in (the entries
     * themselves are kept in memory only without a directory: the file is read when they are asked for).
     */
    private static final class Trace {
        final SeenAccesses seen = new SeenAccesses();
        final List<Access> entries = new ArrayList<>();
        Path path;
        OutputStream file;
    }

    /** Loads the traces kept in {@code dir} (null: memory only). */
    public AccessTraces(Path dir) {
        this.dir = dir;
        if (dir == null) return;
        try {
            Files.createDirectories(dir);
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    String n = f.getFileName().toString();
                    if (!n.endsWith(SUFFIX)) continue;
                    try {
                        load(Long.parseLong(n.substring(0, n.length() - SUFFIX.length())), f);
                    } catch (NumberFormatException notOurs) {
                        log.warn("ignoring {}: not a trace file", f);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading the access traces in " + dir, e);
        }
    }

    private void load(long viewId, Path f) throws IOException {
        Trace t = new Trace();
        t.path = f;
        for (Access a : read(viewId, f)) t.seen.add(a.kind(), a.path());
        t.file = Files.newOutputStream(f, StandardOpenOption.APPEND);
        if (!endsLine(f)) t.file.write('\n'); // end the line a crash cut, so the next one starts afresh
        traces.put(viewId, t);
    }

    private static boolean endsLine(Path f) throws IOException {
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
            if (ch.size() == 0) return true;
            ByteBuffer last = ByteBuffer.allocate(1);
            ch.read(last, ch.size() - 1);
            return last.get(0) == '\n';
        }
    }

    /** The entries of a trace file; a line a crash cut short, or damaged, is skipped. */
    private static List<Access> read(long viewId, Path f) throws IOException {
        List<Access> out = new ArrayList<>();
        for (String line : Files.readAllLines(f, StandardCharsets.US_ASCII)) {
            int sp = line.indexOf(' ');
            if (sp < 0) continue; // a line cut by a crash
            try {
                out.add(new Access(
                        AccessKind.ofWord(line.substring(0, sp)), PathEncoding.decode(line.substring(sp + 1))));
            } catch (IllegalArgumentException damaged) {
                log.warn("trace of view {}: skipping a damaged line", viewId);
            }
        }
        return out;
    }

    /** Starts recording the view's accesses (nothing if it records already). */
    public void start(long viewId) {
        traces.computeIfAbsent(viewId, id -> {
            Trace t = new Trace();
            if (dir != null) {
                try {
                    t.path = dir.resolve(id + SUFFIX);
                    t.file = Files.newOutputStream(t.path, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                } catch (IOException e) {
                    throw new UncheckedIOException("starting the trace of view " + id, e);
                }
            }
            return t;
        });
    }

    /** Whether the view records its accesses: one map lookup, so an untraced view pays nothing more. */
    public boolean traced(long viewId) {
        return traces.containsKey(viewId);
    }

    /** Records the access if it is the view's first of this kind to this path. */
    public void note(long viewId, AccessKind kind, byte[] path) {
        Trace t = traces.get(viewId);
        if (t == null) return;
        synchronized (t) {
            if (!t.seen.add(kind, path)) return;
            if (t.path == null) {
                t.entries.add(new Access(kind, path.clone()));
                return;
            }
            if (t.file == null) return; // dropped meanwhile
            try {
                t.file.write(
                        (kind.word() + " " + PathEncoding.encode(path) + "\n").getBytes(StandardCharsets.US_ASCII));
            } catch (IOException e) {
                // the entry stays in memory; the file misses it, so a restart would too
                log.warn("trace of view {}: cannot append: {}", viewId, e.toString());
            }
        }
    }

    /** The view's trace so far, in first-access order; empty when it records none. */
    public List<Access> entries(long viewId) {
        Trace t = traces.get(viewId);
        if (t == null) return List.of();
        synchronized (t) {
            if (t.path == null) return List.copyOf(t.entries);
            try {
                return read(viewId, t.path);
            } catch (IOException e) {
                throw new UncheckedIOException("reading the trace of view " + viewId, e);
            }
        }
    }

    /** The view is gone: so is its trace. */
    public void drop(long viewId) {
        Trace t = traces.remove(viewId);
        if (t == null) return;
        synchronized (t) {
            closeQuietly(t);
        }
        if (dir != null) {
            try {
                Files.deleteIfExists(dir.resolve(viewId + SUFFIX));
            } catch (IOException e) {
                log.warn("cannot remove the trace of view {}: {}", viewId, e.toString());
            }
        }
    }

    /** Drops the traces of views that no longer exist (removed while no daemon ran). */
    public void retainOnly(Set<Long> viewIds) {
        for (long id : List.copyOf(traces.keySet())) {
            if (!viewIds.contains(id)) drop(id);
        }
    }

    private static void closeQuietly(Trace t) {
        if (t.file == null) return;
        try {
            t.file.close();
        } catch (IOException e) {
            log.warn("closing a trace file: {}", e.toString());
        }
        t.file = null;
    }

    @Override
    public void close() {
        for (Trace t : traces.values()) {
            synchronized (t) {
                closeQuietly(t);
            }
        }
    }

    /** Paths as one ASCII word: printable bytes as they are, space, '%' and anything else as %XX. */
    static final class PathEncoding {
        private PathEncoding() {}

        static String encode(byte[] raw) {
            StringBuilder b = new StringBuilder(raw.length);
            for (byte x : raw) {
                int u = x & 0xff;
                if (u > 0x20 && u < 0x7f && u != '%') b.append((char) u);
                else b.append('%').append(Character.forDigit(u >> 4, 16)).append(Character.forDigit(u & 0xf, 16));
            }
            return b.toString();
        }

        static byte[] decode(String s) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c != '%') {
                    out.write(c);
                    continue;
                }
                if (i + 2 >= s.length()) throw new IllegalArgumentException("cut escape");
                int hi = Character.digit(s.charAt(i + 1), 16), lo = Character.digit(s.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) throw new IllegalArgumentException("bad escape");
                out.write(hi << 4 | lo);
                i += 2;
            }
            return out.toByteArray();
        }
    }
}
