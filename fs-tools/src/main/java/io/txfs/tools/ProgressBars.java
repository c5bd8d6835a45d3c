package io.txfs.tools;

import java.io.PrintStream;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A terminal bar per phase (progressbar: items, rate and ETA; bytes as its extra message). A phase
 * whose total the daemon cannot know shows an indefinite bar with the count.
 */
final class ProgressBars implements ProgressRenderer {
    private final PrintStream err;
    private ProgressBar bar;
    private String title;

    ProgressBars(PrintStream err) {
        this.err = err;
    }

    @Override
    public void show(ProgressReport r) {
        if (bar == null || !r.title().equals(title)) {
            end();
            title = r.title();
            bar = new ProgressBarBuilder()
                    .setTaskName(title)
                    .setInitialMax(r.itemsTotal() >= 0 ? r.itemsTotal() : -1)
                    .setStyle(ProgressBarStyle.ASCII)
                    .setUpdateIntervalMillis(200)
                    .showSpeed()
                    .setConsumer(new ConsoleProgressBarConsumer(err))
                    .setUnit(" items", 1)
                    .build();
        }
        if (r.itemsTotal() >= 0 && bar.getMax() != r.itemsTotal()) bar.maxHint(r.itemsTotal());
        bar.stepTo(r.itemsDone());
        bar.setExtraMessage(r.bytesText());
    }

    @Override
    public void end() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
