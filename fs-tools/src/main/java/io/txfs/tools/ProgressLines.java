package io.txfs.tools;

import java.io.PrintStream;

/** {@code --progress=plain}: a line at most every second and at each new phase, for logs and CI. */
final class ProgressLines implements ProgressRenderer {
    private static final long EVERY_NS = 1_000_000_000L;
    private final PrintStream err;
    private String lastTitle;
    private long lastNs;

    ProgressLines(PrintStream err) {
        this.err = err;
    }

    @Override
    public void show(ProgressReport r) {
        long now = System.nanoTime();
        if (r.title().equals(lastTitle) && now - lastNs < EVERY_NS) return;
        lastTitle = r.title();
        lastNs = now;
        StringBuilder line = new StringBuilder("txfs: ").append(r.title()).append(":");
        if (r.itemsTotal() >= 0 || r.itemsDone() > 0) {
            // a phase that counts only bytes (an export's tar) shows no item count
            line.append(' ').append(r.itemsDone());
            if (r.itemsTotal() >= 0) line.append('/').append(r.itemsTotal());
            line.append(" items,");
        }
        if (!r.bytesText().isEmpty()) line.append(' ').append(r.bytesText()).append(',');
        line.append(String.format(" %.1f s", r.elapsedNs() / 1e9));
        err.println(line);
    }

    @Override
    public void end() {
        err.flush();
    }
}
