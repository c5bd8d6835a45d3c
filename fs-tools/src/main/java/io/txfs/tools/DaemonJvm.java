package io.txfs.tools;

import java.util.List;
import java.util.Map;

/**
 * How the daemon's JVM is sized (docs/memory.md): under 512 MiB resident per mount with RocksDB's
 * 96 MiB cache, and memory handed back to the system when the work ends. Options the user gives in
 * {@code TXFS_DAEMON_JAVA_OPTS} come after these, so they win.
 */
final class DaemonJvm {
    private DaemonJvm() {
    }

    static final List<String> OPTIONS = List.of(
            "-Xms16m", "-Xmx192m",
            // G1 gives committed heap back after a periodic collection once the daemon is idle; SerialGC
            // shrinks only after a full collection, which an idle daemon never has (docs/memory.md)
            "-XX:+UseG1GC", "-XX:G1PeriodicGCInterval=15000", "-XX:MinHeapFreeRatio=10", "-XX:MaxHeapFreeRatio=30",
            "-XX:MaxMetaspaceSize=96m", "-XX:ReservedCodeCacheSize=48m", "-XX:MaxDirectMemorySize=64m",
            // NIO's per-thread cache of temporary direct buffers keeps the largest one each thread ever used
            "-Djdk.nio.maxCachedBufferSize=262144",
            "-Xss512k");

    /** glibc's arenas: one per thread by default, each keeping freed memory resident (RocksDB's allocations). */
    static final Map<String, String> ENVIRONMENT = Map.of("MALLOC_ARENA_MAX", "2");
}
