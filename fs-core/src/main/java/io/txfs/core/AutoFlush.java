package io.txfs.core;

import io.txfs.core.model.FlushResult;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mount's {@code --auto-flush DUR}: the backing directory follows the published state, flushed in
 * the background when something was published since the last flush, at most once every {@code DUR}
 * (the next one starts {@code DUR} after the previous one ended). A flush that fails changes nothing
 * it promised not to (docs/recovery.md): its state stays published and pending, the failure is logged
 * and kept for {@code txfs status}, and the next round tries again.
 */
public final class AutoFlush implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AutoFlush.class);

    private final Engine engine;
    private final Duration every;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "txfs-auto-flush");
        t.setDaemon(true);
        return t;
    });
    private final AtomicLong flushes = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private volatile String lastError;
    private volatile long lastFlushedVersion = -1;

    private AutoFlush(Engine engine, Duration every) {
        this.engine = engine;
        this.every = every;
    }

    public static AutoFlush start(Engine engine, Duration every) {
        if (every.isNegative() || every.isZero())
            throw new IllegalArgumentException("auto-flush interval must be more than 0");
        AutoFlush a = new AutoFlush(engine, every);
        long nanos = every.toNanos();
        a.timer.scheduleWithFixedDelay(a::flushIfBehind, nanos, nanos, TimeUnit.NANOSECONDS);
        return a;
    }

    /** One round: flushes if anything was published since the last flush. Never throws: a thrown task would end the schedule. */
    void flushIfBehind() {
        try {
            if (engine.headVersion() <= engine.flushedVersion()) return; // headVersion publishes a waiting group first
            FlushResult r = engine.flush();
            flushes.incrementAndGet();
            lastFlushedVersion = r.flushedVersion();
            lastError = null;
        } catch (RuntimeException e) {
            if (engine.state.closed()) return;
            failures.incrementAndGet();
            lastError = e.getMessage() == null ? e.toString() : e.getMessage();
            log.error(
                    "auto-flush failed (the published state stays pending; next try in {} ms): {}",
                    every.toMillis(),
                    lastError);
        }
    }

    public Status status() {
        return new Status(every, flushes.get(), failures.get(), lastError, lastFlushedVersion);
    }

    /**
     * @param lastError why the last round failed, if no round succeeded since
     * @param lastFlushedVersion the version the last successful round wrote, -1 before the first
     */
    public record Status(Duration every, long flushes, long failures, String lastError, long lastFlushedVersion) {}

    /** Stops the rounds; a running one finishes first (bounded by the engine's close, which waits for it anyway). */
    @Override
    public void close() {
        timer.shutdown();
        try {
            timer.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
