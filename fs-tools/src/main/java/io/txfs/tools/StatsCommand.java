package io.txfs.tools;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code txfs stats}: the daemon's memory against its budget (docs/memory.md) and its request counters. */
@Command(
        name = "stats",
        mixinStandardHelpOptions = true,
        description =
                "The daemon's memory: JVM heap, resident size, RocksDB cache and memtables, state directory bytes.")
final class StatsCommand extends ViewCommands.Base {
    @Option(names = "--json", description = "Print the daemon's JSON reply (also the FUSE request counters).")
    boolean json;

    @Override
    int run() {
        JsonNode r = ControlCall.send(mount.controlFile(), "stats");
        out().print(json ? Output.json(r) + "\n" : text(r.path("memory")));
        return Txfs.EXIT_OK;
    }

    /** One line per budget: what is used now, and the limit. */
    static String text(JsonNode m) {
        StringBuilder b = new StringBuilder();
        row(
                b,
                "heap",
                m.path("heap_used").asLong(),
                "of max " + mib(m.path("heap_max").asLong()) + " (committed "
                        + mib(m.path("heap_committed").asLong()) + ")");
        row(
                b,
                "metaspace",
                m.path("metaspace_used").asLong(),
                limit(m.path("metaspace_max").asLong()));
        row(
                b,
                "direct buffers",
                m.path("direct_used").asLong(),
                limit(m.path("direct_max").asLong()));
        row(
                b,
                "block cache",
                m.path("block_cache_usage").asLong(),
                "of " + mib(m.path("block_cache_capacity").asLong()) + " (strict; memtables included)");
        row(
                b,
                "memtables",
                m.path("memtable_usage").asLong(),
                "of " + mib(m.path("memtable_budget").asLong()));
        row(b, "rss", m.path("rss").asLong(), "peak " + mib(m.path("rss_peak").asLong()));
        row(b, "state directory", m.path("state_bytes").asLong(), "");
        return b.toString();
    }

    private static String limit(long max) {
        return max < 0 ? "(no limit)" : "of max " + mib(max);
    }

    private static void row(StringBuilder b, String name, long bytes, String rest) {
        b.append(String.format("%-16s %12s  %s", name, mib(bytes), rest).stripTrailing())
                .append('\n');
    }

    static String mib(long bytes) {
        return bytes < 0 ? "?" : String.format("%.1f MiB", bytes / 1048576.0);
    }
}
