package io.txfs.fuse;

import io.txfs.fuse.proto.Opcode;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * How many requests of each opcode the kernel sent a mount. A debugging aid that makes the kernel's
 * caching observable (a warm pass that the kernel answers from its caches adds no LOOKUP or READDIR);
 * one array increment per request, so it is always on.
 */
public final class RequestCounts {
  private static final int SLOTS = 64;
  private final AtomicLongArray counts = new AtomicLongArray(SLOTS);

  void count(int opcode) {
    counts.incrementAndGet(opcode >= 0 && opcode < SLOTS ? opcode : 0);
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
}
