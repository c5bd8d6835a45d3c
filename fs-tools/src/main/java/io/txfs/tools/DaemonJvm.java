package io.txfs.tools;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How the daemon's JVM is sized (docs/memory.md): under 512 MiB resident per mount with RocksDB's
 * 96 MiB cache, and memory handed back to the system when the work ends. Options the user gives in
 * {@code TXFS_DAEMON_JAVA_OPTS} come after these, so they win.
 */
final class DaemonJvm {
    private DaemonJvm() {}

    static final String SIZED_PROPERTY = "txfs.daemon.sized";

    /** The collector and its own options: left out when the user names another collector. */
    static final List<String> COLLECTOR = List.of("-XX:+UseG1GC", "-XX:G1PeriodicGCInterval=15000");

    static final List<String> OPTIONS = List.of(
            "-Xms16m",
            "-Xmx192m",
            // G1 gives committed heap back after a periodic collection once the daemon is idle; SerialGC
            // shrinks only after a full collection, which an idle daemon never has (docs/memory.md)
            COLLECTOR.get(0),
            COLLECTOR.get(1),
            "-XX:MinHeapFreeRatio=10",
            "-XX:MaxHeapFreeRatio=30",
            "-XX:MaxMetaspaceSize=96m",
            "-XX:ReservedCodeCacheSize=48m",
            "-XX:MaxDirectMemorySize=64m",
            // NIO's per-thread cache of temporary direct buffers keeps the largest one each thread ever used
            "-Djdk.nio.maxCachedBufferSize=262144",
            "-Xss512k",
            // says this JVM is sized already: a foreground mount started in it does not re-execute itself
            "-D" + DaemonJvm.SIZED_PROPERTY + "=true");

    /**
     * The daemon's JVM options: these, then {@code userOptions} (TXFS_DAEMON_JAVA_OPTS; null or blank: none).
     * A later option wins over an earlier one, except that two collectors stop the JVM: when the user
     * names one ({@code -XX:+Use…GC}), G1 and its options are left out.
     */
    static List<String> options(String userOptions) {
        return optionsWith(
                userOptions == null || userOptions.isBlank()
                        ? List.of()
                        : List.of(userOptions.trim().split("\\s+")));
    }

    /** As {@link #options(String)}, the user's options given one per element. */
    static List<String> optionsWith(List<String> user) {
        boolean ownCollector = user.stream().anyMatch(o -> o.startsWith("-XX:+Use") && o.endsWith("GC"));
        List<String> all = new ArrayList<>();
        for (String o : OPTIONS) {
            if (!(ownCollector && COLLECTOR.contains(o))) {
                all.add(o);
            }
        }
        all.addAll(user);
        return all;
    }

    /**
     * Whether a foreground daemon should re-execute itself with {@link #OPTIONS}: not when it runs with
     * them already, and not when whoever started the JVM chose its heap ({@code -Xmx} among {@code jvmArguments}).
     */
    static boolean shouldResize(String sizedProperty, List<String> jvmArguments) {
        if (Boolean.parseBoolean(sizedProperty)) {
            return false;
        }
        return jvmArguments.stream()
                .noneMatch(a -> a.startsWith("-Xmx")
                        || a.startsWith("-XX:MaxHeapSize")
                        || a.startsWith("-XX:MaxRAMPercentage")
                        || a.startsWith("-XX:MaxRAM="));
    }

    /** glibc's arenas: one per thread by default, each keeping freed memory resident (RocksDB's allocations). */
    static final Map<String, String> ENVIRONMENT = Map.of("MALLOC_ARENA_MAX", "2");
}
