package io.txfs.fuse.caller;

import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Maps the thread id of a FUSE request to its view: thread → thread group → nearest ancestor that had
 * entered a view when the branch leading to the caller was forked. Reading /proc costs 10–14 µs, so
 * answers are cached by thread id and checked with a pidfd (0.5 µs), which can never name a later task
 * that reuses the id.
 */
public final class CallerResolver {
    private static final int MAX_CACHED = 1 << 16;
    private static final int MAX_DEPTH = 4096;

    private record Cached(int pidfd, long generation, CallerView view) {}

    private final ViewRegistry registry;
    private final ProcessTable processes;
    private final Map<Integer, Cached> cache = new ConcurrentHashMap<>();

    public CallerResolver(ViewRegistry registry, ProcessTable processes) {
        this.registry = registry;
        this.processes = processes;
    }

    public CallerView resolve(int tid) throws UnknownCallerException {
        if (tid <= 0) {
            throw new UnknownCallerException("request with pid " + tid + ": caller outside the daemon's pid namespace");
        }
        Cached c = cache.get(tid);
        long gen = registry.generation();
        if (c != null) {
            if (c.generation == gen && Pidfds.alive(c.pidfd)) {
                return c.view;
            }
            drop(tid, c);
        }
        // the pidfd is taken before /proc is read, so if the task is still alive afterwards, what was
        // read belongs to this very task and not to a successor that reused its id
        int pidfd = processes == ProcessTable.LIVE ? Pidfds.open(tid) : -1;
        CallerView view;
        try {
            view = resolveUncached(tid);
        } catch (NoSuchProcessException e) {
            Pidfds.close(pidfd);
            throw new UnknownCallerException("caller " + tid + " exited before its request was served");
        }
        if (pidfd >= 0) {
            if (Pidfds.alive(pidfd)) {
                if (cache.size() >= MAX_CACHED) {
                    evictDead();
                }
                Cached prev = cache.put(tid, new Cached(pidfd, gen, view));
                if (prev != null) {
                    Pidfds.close(prev.pidfd);
                }
            } else {
                Pidfds.close(pidfd);
                throw new UnknownCallerException("caller " + tid + " exited before its request was served");
            }
        }
        return view;
    }

    /** The view, without the cache: used when the registry changed or the thread is new. */
    CallerView resolveUncached(int tid) throws NoSuchProcessException {
        ProcStat self = processes.stat(processes.threadGroupOf(tid));
        Optional<String> own = registry.latest(self.key());
        if (own.isPresent()) {
            return new CallerView.Named(own.get());
        }
        ProcStat below = self;
        for (int depth = 0; depth < MAX_DEPTH && below.ppid() > 0; depth++) {
            ProcStat parent;
            try {
                parent = processes.stat(below.ppid());
            } catch (NoSuchProcessException e) {
                break;
            }
            if (parent.startTime() > below.startTime()) {
                // the parent id was reused after our parent died: the chain is broken here
                break;
            }
            Optional<String> v = registry.viewAt(parent.key(), below.startTime());
            if (v.isPresent()) {
                registry.inherit(self.key(), v.get());
                return new CallerView.Named(v.get());
            }
            below = parent;
        }
        return new CallerView.Unregistered(self.session(), self.pid(), self.ppid());
    }

    /** Registers {@code pid} (a process, or any thread of one) as entering {@code view} now. */
    public ProcessKey enter(int pid, String view) throws NoSuchProcessException {
        ProcessKey key = processes.stat(processes.threadGroupOf(pid)).key();
        registry.enter(key, view, processes.nowTicks());
        return key;
    }

    private void evictDead() {
        for (Iterator<Map.Entry<Integer, Cached>> it = cache.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Integer, Cached> e = it.next();
            if (!Pidfds.alive(e.getValue().pidfd)) {
                it.remove();
                Pidfds.close(e.getValue().pidfd);
            }
        }
        if (cache.size() >= MAX_CACHED) {
            cache.forEach(this::drop);
        }
    }

    private void drop(int tid, Cached c) {
        if (cache.remove(tid, c)) {
            Pidfds.close(c.pidfd);
        }
    }

    int cachedCount() {
        return cache.size();
    }
}
