package io.txfs.core.model;

import java.time.Instant;

/** Time source, injected so tests control timestamps. */
public interface Clock {
    long nowNanos();

    Clock SYSTEM = () -> {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    };
}
