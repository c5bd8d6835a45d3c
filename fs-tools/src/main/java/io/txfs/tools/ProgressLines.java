package io.txfs.tools;

import java.io.PrintStream;
import java.util.function.LongSupplier;

/** {@code --progress=plain}: a line at most every second and at each new phase, for logs and CI. */
final class ProgressLines implements ProgressRenderer {
    private static final long EVERY_NS = 1_000_000_000L;
    private final PrintStream err;
    private String lastTitle;
    private long lastNs;

    private final LongSupplier nanoClock;

    ProgressLines(PrintStream err) {
        this(err, System::nanoTime);
    }

    ProgressLines(PrintStream err, LongSupplier nanoClock) {
        this.err = err;
        this.nanoClock = nanoClock;
    }

    /** The newest report held back by the one-line-a-second limit: printed at the end if nothing newer was. */
    private ProgressReport heldBack;

    @Override
    public void show(ProgressReport r) {
        long now = nanoClock.getAsLong();
        if (r.title().equals(lastTitle) && now - lastNs < EVERY_NS) {
            heldBack = r;
            return;
        }
        lastTitle = r.title();
        lastNs = now;
        heldBack = null;
        print(r);
    }

    private void print(ProgressReport r) {
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

    /** The last state seen is printed even when it came within a second of the previous line. */
    @Override
    public void end() {
        if (heldBack != null) print(heldBack);
        heldBack = null;
        err.flush();
    }
}
