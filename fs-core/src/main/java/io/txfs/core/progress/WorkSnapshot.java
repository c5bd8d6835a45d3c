package io.txfs.core.progress;

/**
 * A long operation's progress at one instant. Totals are {@link LongWork#UNKNOWN} when not known;
 * {@code startedNs} (the work's) and {@code phaseStartedNs} are on the clock of the {@link LongWorks} that made it. Names no path and no view:
 * any user of a mount may see how far a flush got, never what it writes.
 */
public record WorkSnapshot(
        long id,
        String kind,
        String phase,
        long itemsDone,
        long itemsTotal,
        long bytesDone,
        long bytesTotal,
        long startedNs,
        long phaseStartedNs) {}
