package io.txfs.fuse.caller;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Which processes entered which view, and when. A process can enter several views over its life
 * (each {@code begin}); a descendant belongs to the view its ancestor was in when the descendant's
 * branch was forked, so the history is kept, not only the latest entry.
 */
public final class ViewRegistry {
    /** A process entered {@code view} at {@code since} (ticks since boot). */
    public record Entry(ProcessKey process, String view, long since) {}

    private final Map<ProcessKey, List<Entry>> entries = new ConcurrentHashMap<>();
    private final AtomicLong generation = new AtomicLong();
    private final RegistryFile file;
    private final ProcessTable processes;

    /** A registry kept in memory only. */
    public ViewRegistry() {
        this.file = null;
        this.processes = null;
    }

    /** A registry kept in {@code path} as well, loaded now with the entries of processes still running. */
    public ViewRegistry(Path path, ProcessTable processes) {
        this.file = new RegistryFile(path);
        this.processes = processes;
        for (Entry e : file.load(processes)) {
            record(e.process(), e.view(), e.since());
        }
    }

    /** Rewrites the file, dropping processes that have exited; serialised so files are written in order. */
    private synchronized void save() {
        if (file == null) {
            return;
        }
        saveQueued.set(false);
        entries.keySet().removeIf(k -> !RegistryFile.alive(processes, k));
        file.save(all());
    }

    /**
     * Saves soon, off the request path: inherited memberships matter only if an ancestor exits and the
     * daemon restarts within the next moment, and a burst of new processes (a parallel build) costs one write.
     */
    private void saveSoon() {
        if (file != null && saveQueued.compareAndSet(false, true)) {
            SAVER.schedule(this::save, 1, TimeUnit.SECONDS);
        }
    }

    private final AtomicBoolean saveQueued = new AtomicBoolean();
    private static final ScheduledExecutorService SAVER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "txfs-registry-save");
        t.setDaemon(true);
        return t;
    });

    /** Records that {@code process} entered {@code view} at {@code since}; cached answers are re-derived. */
    public void enter(ProcessKey process, String view, long since) {
        record(process, view, since);
        generation.incrementAndGet();
        save();
    }

    /**
     * Records a membership the resolver derived from an ancestor, so that the process keeps its view
     * if the ancestor exits and it is re-parented. It changes no answer, so caches stay valid.
     */
    void inherit(ProcessKey process, String view) {
        boolean[] added = new boolean[1];
        entries.computeIfAbsent(process, k -> {
            List<Entry> l = new ArrayList<>(1);
            l.add(new Entry(process, view, process.startTime()));
            added[0] = true;
            return l;
        });
        if (added[0]) {
            saveSoon();
        }
    }

    private void record(ProcessKey process, String view, long since) {
        entries.compute(process, (k, l) -> {
            List<Entry> n = l == null ? new ArrayList<>(2) : new ArrayList<>(l);
            n.add(new Entry(process, view, since));
            n.sort((a, b) -> Long.compare(a.since(), b.since()));
            return n;
        });
    }

    /** Forgets every entry into {@code view} (the view was discarded); its processes fall back to the default. */
    public void forgetView(String view) {
        entries.replaceAll(
                (k, l) -> l.stream().filter(e -> !e.view().equals(view)).toList());
        entries.values().removeIf(List::isEmpty);
        generation.incrementAndGet();
        save();
    }

    /** The view {@code process} was in at time {@code at}: its latest entry made no later than {@code at}. */
    Optional<String> viewAt(ProcessKey process, long at) {
        List<Entry> l = entries.get(process);
        if (l == null) {
            return Optional.empty();
        }
        String found = null;
        for (Entry e : l) {
            if (e.since() <= at) {
                found = e.view();
            }
        }
        return Optional.ofNullable(found);
    }

    /** The view {@code process} is in now, counting only its own entries. */
    Optional<String> latest(ProcessKey process) {
        List<Entry> l = entries.get(process);
        return l == null || l.isEmpty()
                ? Optional.empty()
                : Optional.of(l.get(l.size() - 1).view());
    }

    /**
     * Every view a running registered process has entered, at any time of its life: a process that moved
     * on still has descendants forked before it moved that the resolver routes to the earlier view, so
     * each of its entries counts (prune errs towards keeping). A registry kept only in memory cannot
     * check processes and counts every entry as live.
     */
    public Set<String> viewsOfLiveProcesses() {
        Set<String> out = new HashSet<>();
        entries.forEach((k, l) -> {
            if (processes == null || RegistryFile.alive(processes, k)) {
                l.forEach(e -> out.add(e.view()));
            }
        });
        return out;
    }

    public List<Entry> all() {
        List<Entry> out = new ArrayList<>();
        entries.values().forEach(out::addAll);
        return out;
    }

    long generation() {
        return generation.get();
    }
}
