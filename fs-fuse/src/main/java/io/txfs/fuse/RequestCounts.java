package io.txfs.fuse;

import io.txfs.fuse.proto.Opcode;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * How many requests of each opcode the kernel sent a mount, and how long the daemon took over them. A
 * debugging aid that makes the kernel's caching observable (a warm pass that the kernel answers from
 * its caches adds no LOOKUP or READDIR) and shows where a request's time goes (the daemon's share
 * against the latency a process sees); two array additions per request, so it is always on.
 */
public final class RequestCounts {
    private static final int SLOTS = 64;
    private final AtomicLongArray counts = new AtomicLongArray(SLOTS);
    private final AtomicLongArray nanos = new AtomicLongArray(SLOTS);

    /** One request of {@code opcode} was handled in {@code elapsedNanos} (decode, filesystem call, encode). */
    void count(int opcode, long elapsedNanos) {
        int slot = opcode >= 0 && opcode < SLOTS ? opcode : 0;
        counts.incrementAndGet(slot);
        nanos.addAndGet(slot, elapsedNanos);
    }

    /** Opcode name → count, for the opcodes seen at least once (unknown opcodes under "UNKNOWN"). */
    public Map<String, Long> snapshot() {
        Map<String, Long> m = new TreeMap<>();
        for (int i = 0; i < SLOTS; i++) {
            long c = counts.get(i);
            if (c > 0) {
                m.put(i == 0 ? "UNKNOWN" : Opcode.name(i), c);
            }
        }
        return m;
    }

    /** Opcode name → total microseconds the daemon spent handling them (not counting the kernel's round trip). */
    public Map<String, Long> micros() {
        Map<String, Long> m = new TreeMap<>();
        for (int i = 0; i < SLOTS; i++) {
            if (counts.get(i) > 0) {
                m.put(i == 0 ? "UNKNOWN" : Opcode.name(i), nanos.get(i) / 1000);
            }
        }
        return m;
    }
}
