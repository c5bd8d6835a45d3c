package io.txfs.tools;

import com.fasterxml.jackson.databind.JsonNode;
import io.txfs.control.ControlClient;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * Polls the daemon's {@code progress} verb on a second descriptor while this CLI's own call blocks
 * on the first, and renders the newest work of the kind it waits for that was not already running
 * when it started. Best effort: a poll that fails or stalls only leaves the bar where it was.
 */
final class ProgressWatcher implements AutoCloseable {
    private static final long POLL_MS = 200;
    private final Path ctl;
    private final String kind;
    private final ProgressRenderer renderer;
    private final Set<Long> before;
    private final Thread thread;
    private volatile boolean done;

    private ProgressWatcher(Path ctl, String kind, ProgressRenderer renderer, Set<Long> before) {
        this.ctl = ctl;
        this.kind = kind;
        this.renderer = renderer;
        this.before = before;
        this.thread = new Thread(this::poll, "txfs-progress");
        thread.setDaemon(true);
    }

    static ProgressWatcher start(Path ctl, String kind, ProgressRenderer renderer) {
        Set<Long> running = new HashSet<>();
        JsonNode now = ask(ctl);
        if (now != null)
            now.path("running").forEach(w -> running.add(w.path("id").asLong()));
        ProgressWatcher w = new ProgressWatcher(ctl, kind, renderer, running);
        w.thread.start();
        return w;
    }

    private static JsonNode ask(Path ctl) {
        try {
            return ControlClient.send(ctl, "progress");
        } catch (Exception e) {
            return null; // an older daemon, or one too busy: no bar
        }
    }

    private void poll() {
        while (!done) {
            JsonNode r = ask(ctl);
            ProgressReport newest = null;
            if (r != null) {
                for (JsonNode w : r.path("running")) {
                    ProgressReport p = ProgressReport.of(w);
                    if (p.kind().equals(kind) && !before.contains(p.id()) && (newest == null || p.id() > newest.id()))
                        newest = p;
                }
            }
            synchronized (this) {
                if (done) return;
                if (newest != null) renderer.show(newest);
            }
            try {
                Thread.sleep(POLL_MS); // a display refresh rate, not a synchronization
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            done = true;
            renderer.end();
        }
        thread.interrupt();
    }
}
