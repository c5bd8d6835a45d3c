package io.txfs.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.txfs.core.model.AttributeChange;
import io.txfs.core.model.FlushResult;
import io.txfs.core.model.FsException;
import io.txfs.core.model.GcResult;
import io.txfs.core.model.Isolation;
import io.txfs.core.model.PublishConflictException;
import io.txfs.core.model.PublishResult;
import io.txfs.core.store.MemoryStore;
import io.txfs.core.tree.View;
import io.txfs.sys.Errno;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Thousands of random operations in 8+ views on their own threads, with random publishes, forced
 * publishes, aborts and flushes, each checked against a small reference model of the SPEC: isolation,
 * read-your-writes, atomic publish, first-committer-wins verdicts, flush = published state.
 */
class ModelBasedRandomTest {
    private static final List<String> DIRS = List.of("", "d0", "d1", "d2");
    private static final int NAMES = 5;
    private static final int VIEWS = 8;
    private static final int OPS_PER_VIEW = 500;
    /**
     * The mtime of every initial file, and the one "cp -p" operations restore: with equal sizes, the
     * backing files' inode numbers (which ext4 reuses) are all that tells their contents apart on disk.
     */
    private static final long OLD_MTIME_NS = 1_700_000_000_123_456_789L;

    @TempDir
    Path tmp;

    /** Published versions as full path -> content maps, and the paths each version changed. */
    private final List<Map<String, String>> versions = new CopyOnWriteArrayList<>();

    private final List<Set<String>> changedAt = new CopyOnWriteArrayList<>();
    /** Paths a forced publish touched without a visible change: the engine may or may not count them. */
    private final List<Set<String>> maybeChangedAt = new CopyOnWriteArrayList<>();
    /** Flushes run beside view operations (they share the commit lock); this orders their bookkeeping. */
    private final Object flushMutex = new Object();
    /** Publishes and flushes take it exclusively; view operations share it so both sides read one head. */
    private final ReentrantReadWriteLock commitLock = new ReentrantReadWriteLock();

    private final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    private Engine engine;
    private Path backing;
    private final ConcurrentLinkedQueue<String> trace = new ConcurrentLinkedQueue<>();
    /** -Dtxfs.serialize: threads take turns step by step; the order is written for -Dtxfs.order replay. */
    private static final boolean SERIALIZE = Boolean.getBoolean("txfs.serialize");

    private final Object serial = new Object();
    private final List<Integer> order = new ArrayList<>();
    private final AtomicLong collected = new AtomicLong();

    private void trace(ViewModel m, String what) {
        if (Boolean.getBoolean("txfs.sequential")) trace.add(m.view.name() + " " + what);
    }

    private final class ViewModel {
        final View view;
        final TestFs fs;
        final Isolation iso;
        long snap;
        final Map<String, Optional<String>> pending = new HashMap<>();
        final Map<String, Long> touchedBase = new HashMap<>();

        ViewModel(View view) {
            this.view = view;
            this.fs = new TestFs(engine, view);
            this.iso = view.isolation();
            this.snap = versions.size() - 1;
        }

        long reading() {
            return iso == Isolation.READ_COMMITTED ? versions.size() - 1 : snap;
        }

        Optional<String> visible(String p) {
            Optional<String> o = pending.get(p);
            if (o != null) return o;
            return Optional.ofNullable(versions.get((int) reading()).get(p));
        }

        void touch(String p) {
            touchedBase.putIfAbsent(p, reading());
        }

        TreeSet<String> list(String dir) {
            TreeSet<String> out = new TreeSet<>();
            if (dir.isEmpty()) out.addAll(List.of("d0", "d1", "d2"));
            for (int i = 0; i < NAMES; i++) {
                String p = path(dir, "f" + i);
                if (visible(p).isPresent()) out.add("f" + i);
            }
            return out;
        }
    }

    private static String path(String dir, String name) {
        return dir.isEmpty() ? name : dir + "/" + name;
    }

    @Test
    void randomOperationsMatchTheModel() throws Exception {
        long seed = TestSeeds.seed(20261206L);
        System.err.println("ModelBasedRandomTest seed " + seed + " (rerun with -Dtxfs.seed=" + seed + ")");
        backing = Files.createDirectories(tmp.resolve("backing"));
        Map<String, String> initial = new TreeMap<>();
        for (String d : DIRS) {
            if (!d.isEmpty()) Files.createDirectories(backing.resolve(d));
            for (int i = 0; i < NAMES; i += 2) {
                String p = path(d, "f" + i);
                String c = "initial " + p;
                Files.writeString(backing.resolve(p), c);
                Files.setLastModifiedTime(
                        backing.resolve(p), FileTime.from(OLD_MTIME_NS / 1000, TimeUnit.MICROSECONDS));
                initial.put(p, c);
            }
        }
        versions.add(initial);
        changedAt.add(Set.of());
        maybeChangedAt.add(Set.of());
        engine = Engine.open(EngineConfig.memory(backing, new MemoryStore()));
        try {
            List<ViewModel> models = new ArrayList<>();
            for (int i = 0; i < VIEWS; i++) {
                Isolation iso = i % 3 == 2 ? Isolation.READ_COMMITTED : Isolation.SNAPSHOT;
                models.add(new ViewModel(engine.createView("v" + i, iso, 0)));
            }
            if (Boolean.getBoolean("txfs.sequential")) {
                List<Random> rnds = new ArrayList<>();
                for (int i = 0; i < VIEWS; i++) rnds.add(new Random(seed + i));
                try {
                    String replay = System.getProperty("txfs.order");
                    if (replay != null) {
                        for (String i : Files.readString(Path.of(replay)).trim().split(","))
                            step(models.get(Integer.parseInt(i)), rnds.get(Integer.parseInt(i)));
                    } else {
                        for (int n = 0; n < OPS_PER_VIEW; n++)
                            for (int i = 0; i < VIEWS; i++) step(models.get(i), rnds.get(i));
                    }
                } catch (Throwable t) {
                    List<String> tr = new ArrayList<>(trace);
                    for (String line : tr) System.err.println("TRACE " + line);
                    throw t;
                }
            }
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < VIEWS && !Boolean.getBoolean("txfs.sequential"); i++) {
                ViewModel m = models.get(i);
                Random rnd = new Random(seed + i);
                Thread t = new Thread(
                        () -> {
                            try {
                                for (int n = 0; n < OPS_PER_VIEW && failures.isEmpty(); n++) {
                                    if (SERIALIZE) {
                                        synchronized (serial) {
                                            order.add(models.indexOf(m));
                                            step(m, rnd);
                                        }
                                    } else {
                                        step(m, rnd);
                                    }
                                }
                            } catch (Throwable e) {
                                failures.add(new AssertionError("view " + m.view.name() + " seed " + seed, e));
                            }
                        },
                        "model-" + i);
                threads.add(t);
                t.start();
            }
            for (Thread t : threads) t.join(120_000);
            if (SERIALIZE && !failures.isEmpty()) {
                Files.writeString(
                        Path.of("target/model-order.txt"), order.toString().replaceAll("[\\[\\] ]", ""));
            }
            if (!failures.isEmpty()) {
                AssertionError e =
                        new AssertionError(failures.size() + " failures, first: " + failures.peek(), failures.peek());
                throw e;
            }
            for (ViewModel m : models) checkWholeView(m);
            System.err.println("ModelBasedRandomTest: explicit collections deleted " + collected.get() + " keys");
            commitLock.writeLock().lock();
            try {
                flushAndCheck();
            } finally {
                commitLock.writeLock().unlock();
            }
        } finally {
            engine.close();
        }
    }

    private void step(ViewModel m, Random rnd) throws IOException {
        int r = rnd.nextInt(100);
        if (r < 4) {
            boolean force = rnd.nextInt(4) == 0;
            trace(m, "publish force=" + force);
            publish(m, force);
            return;
        }
        if (r < 5) {
            trace(m, "abort");
            commitLock.writeLock().lock();
            try {
                engine.abort(m.view);
                m.pending.clear();
                m.touchedBase.clear();
                m.snap = versions.size() - 1;
            } finally {
                commitLock.writeLock().unlock();
            }
            return;
        }
        if (r < 6) {
            trace(m, "flush");
            // Shared: views keep operating while the flush runs; publishes (exclusive) wait.
            commitLock.readLock().lock();
            try {
                flushAndCheck();
            } finally {
                commitLock.readLock().unlock();
            }
            return;
        }
        if (r < 7) {
            trace(m, "gc");
            // Beside view operations, like a flush: old snapshots must keep reading what they read.
            commitLock.readLock().lock();
            try {
                GcResult g = engine.collectGarbage();
                collected.addAndGet(g.nodeVersions() + g.entryVersions() + g.chunks());
            } finally {
                commitLock.readLock().unlock();
            }
            return;
        }
        if (m.iso == Isolation.READ_COMMITTED && r < 60) r = 60 + rnd.nextInt(40);
        commitLock.readLock().lock();
        try {
            fileOp(m, rnd, r);
        } finally {
            commitLock.readLock().unlock();
        }
    }

    private void fileOp(ViewModel m, Random rnd, int r) {
        String dir = DIRS.get(rnd.nextInt(DIRS.size()));
        String p = path(dir, "f" + rnd.nextInt(NAMES));
        Optional<String> cur = m.visible(p);
        trace(m, "op " + r + " " + p + " cur=" + cur.map(x -> x.length() > 30 ? x.substring(0, 30) + "..." : x));
        if (r < 25) {
            String content = content(rnd);
            m.fs.write(p, content.getBytes(StandardCharsets.ISO_8859_1));
            m.pending.put(p, Optional.of(content));
            m.touch(p);
        } else if (r < 30) {
            // cp -p over the file: other bytes, the same size, the old mtime
            if (cur.isEmpty()) {
                expectErrno(Errno.ENOENT, () -> m.fs.ino(p));
                return;
            }
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < cur.get().length(); i++) sb.append((char) ('A' + rnd.nextInt(26)));
            String content = sb.toString();
            m.fs.write(p, content.getBytes(StandardCharsets.ISO_8859_1));
            engine.setattr(m.view, m.fs.ino(p), AttributeChange.times(null, OLD_MTIME_NS / 1000 * 1000));
            m.pending.put(p, Optional.of(content));
            m.touch(p);
        } else if (r < 40) {
            String more = "+" + rnd.nextInt(1000);
            if (cur.isEmpty()) {
                expectErrno(Errno.ENOENT, () -> m.fs.ino(p));
                return;
            }
            long ino = m.fs.ino(p);
            engine.write(m.view, ino, cur.get().length(), more.getBytes(StandardCharsets.ISO_8859_1));
            m.pending.put(p, Optional.of(cur.get() + more));
            m.touch(p);
        } else if (r < 48) {
            if (cur.isEmpty()) {
                expectErrno(Errno.ENOENT, () -> m.fs.rm(p));
                return;
            }
            m.fs.rm(p);
            m.pending.put(p, Optional.empty());
            m.touch(p);
        } else if (r < 56) {
            String q = path(DIRS.get(rnd.nextInt(DIRS.size())), "f" + rnd.nextInt(NAMES));
            trace(m, "  mv to " + q);
            if (cur.isEmpty()) {
                expectErrno(Errno.ENOENT, () -> m.fs.mv(p, q));
                return;
            }
            m.fs.mv(p, q);
            if (!q.equals(p)) {
                m.pending.put(q, cur);
                m.pending.put(p, Optional.empty());
                m.touch(p);
                m.touch(q);
            }
        } else if (r < 60) {
            if (cur.isEmpty()) return;
            int n = rnd.nextInt(cur.get().length() + 5);
            engine.setattr(m.view, m.fs.ino(p), AttributeChange.size(n));
            String c = cur.get();
            String t = n <= c.length() ? c.substring(0, n) : c + "\0".repeat(n - c.length());
            m.pending.put(p, Optional.of(t));
            m.touch(p);
        } else if (r < 85) {
            if (cur.isEmpty()) {
                expectErrno(Errno.ENOENT, () -> m.fs.ino(p));
            } else {
                assertEquals(cur.get(), new String(m.fs.readBytes(p), StandardCharsets.ISO_8859_1), "content of " + p);
            }
        } else {
            assertEquals(new ArrayList<>(m.list(dir)), m.fs.ls(dir), "listing of '" + dir + "'");
        }
    }

    private static String content(Random rnd) {
        if (rnd.nextInt(20) == 0) {
            StringBuilder sb = new StringBuilder();
            int n = Engine.CHUNK + rnd.nextInt(Engine.CHUNK);
            for (int i = 0; i < n; i++) sb.append((char) ('a' + rnd.nextInt(26)));
            return sb.toString();
        }
        return "c" + rnd.nextInt(1_000_000);
    }

    private void publish(ViewModel m, boolean force) {
        commitLock.writeLock().lock();
        try {
            long head = versions.size() - 1;
            Set<String> conflicts = new TreeSet<>();
            Set<String> maybe = new TreeSet<>();
            for (var t : m.touchedBase.entrySet()) {
                for (long v = t.getValue() + 1; v <= head; v++) {
                    if (changedAt.get((int) v).contains(t.getKey())) conflicts.add(t.getKey());
                    if (maybeChangedAt.get((int) v).contains(t.getKey())) maybe.add(t.getKey());
                }
            }
            // a path the view ends with as the head has it (both removed it, or the same bytes) may publish
            // without conflict (docs/reproducibility.md, "Identical outputs publish"): either outcome is right
            for (var it = conflicts.iterator(); it.hasNext(); ) {
                String p = it.next();
                Optional<String> mine = m.pending.getOrDefault(
                        p, Optional.ofNullable(versions.get((int) m.snap).get(p)));
                if (Objects.equals(mine.orElse(null), versions.get((int) head).get(p))) {
                    it.remove();
                    maybe.add(p);
                }
            }
            boolean expectConflict = !force && !conflicts.isEmpty();
            boolean mayConflict = !force && !maybe.isEmpty();
            try {
                PublishResult r = engine.publish(m.view, force);
                List<String> bad = LinkCheck.errors(engine);
                if (!bad.isEmpty())
                    throw new AssertionError(
                            "after publish v" + r.version() + " by " + m.view.name() + " force=" + force + ": " + bad);
                trace(m, "  published v" + r.version() + " touched " + new TreeSet<>(m.touchedBase.keySet()));
                assertTrue(
                        !expectConflict,
                        "engine published but the model expected conflicts on " + conflicts + " (the view's "
                                + conflicts.stream()
                                        .map(p -> p + "=" + m.pending.get(p) + ", head's "
                                                + versions.get((int) head).get(p))
                                        .toList()
                                + ")");
                Map<String, String> next = new TreeMap<>(versions.get((int) head));
                for (var en : m.pending.entrySet()) {
                    if (en.getValue().isPresent())
                        next.put(en.getKey(), en.getValue().get());
                    else next.remove(en.getKey());
                }
                Set<String> changed = new HashSet<>(m.touchedBase.keySet());
                Set<String> maybeChanged = new HashSet<>();
                if (force && !(conflicts.isEmpty() && maybe.isEmpty())) {
                    // Forced over a conflict, last writer wins per node and per name: the engine's result is
                    // the reference from here on (a path model cannot say where a renamed node's changes go).
                    next = publishedFiles();
                    maybeChanged.addAll(changed);
                    changed.clear();
                    Map<String, String> prev = versions.get((int) head);
                    for (String p : union(prev.keySet(), next.keySet())) {
                        if (!Objects.equals(prev.get(p), next.get(p))) changed.add(p);
                    }
                }
                maybeChanged.removeAll(changed);
                versions.add(next);
                changedAt.add(changed);
                maybeChangedAt.add(maybeChanged);
                assertEquals(versions.size() - 1, r.version(), "published version");
                m.pending.clear();
                m.touchedBase.clear();
                m.snap = r.version();
            } catch (PublishConflictException e) {
                trace(m, "  conflict " + e.paths());
                assertTrue(
                        expectConflict || mayConflict,
                        "engine reported conflicts " + e.paths() + " the model does not have");
                assertTrue(!e.paths().isEmpty());
            }
        } finally {
            commitLock.writeLock().unlock();
        }
    }

    /** Caller holds the commit lock (no publish can run). */
    private void flushAndCheck() throws IOException {
        synchronized (flushMutex) {
            flushAndCheckLocked();
        }
    }

    private void flushAndCheckLocked() throws IOException {
        long head = versions.size() - 1;
        FlushResult r = engine.flush();
        if (!r.nothingToDo()) {
            versions.add(versions.get((int) head));
            changedAt.add(Set.of());
            maybeChangedAt.add(Set.of());
            assertEquals(versions.size() - 1, r.flushedVersion());
        }
        TreeMap<String, String> disk = new TreeMap<>();
        for (var en : Trees.ofDisk(backing).entrySet()) {
            if (!en.getValue().equals("d")) disk.put(en.getKey(), en.getValue().substring(2));
        }
        assertEquals(new TreeMap<>(versions.get(versions.size() - 1)), disk, "backing directory after flush");
    }

    private void checkWholeView(ViewModel m) {
        for (String d : DIRS) {
            assertEquals(new ArrayList<>(m.list(d)), m.fs.ls(d), "final listing of '" + d + "' in " + m.view.name());
            for (String name : m.list(d)) {
                String p = path(d, name);
                if (name.startsWith("f")) {
                    assertEquals(m.visible(p).get(), new String(m.fs.readBytes(p), StandardCharsets.ISO_8859_1));
                }
            }
        }
    }

    private Map<String, String> publishedFiles() {
        Map<String, String> out = new TreeMap<>();
        for (var en : Trees.ofView(engine, engine.published()).entrySet()) {
            if (en.getValue().startsWith("f:"))
                out.put(en.getKey(), en.getValue().substring(2));
        }
        return out;
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> u = new TreeSet<>(a);
        u.addAll(b);
        return u;
    }

    private static void expectErrno(Errno want, Runnable op) {
        try {
            op.run();
        } catch (FsException e) {
            assertEquals(want, e.errno(), e.getMessage());
            return;
        }
        throw new AssertionError("expected " + want);
    }
}
