package io.txfs.core;

/** Time source, injected so tests control timestamps. */
public interface Clock {
    long nowNanos();

    Clock SYSTEM = () -> {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    };
}
