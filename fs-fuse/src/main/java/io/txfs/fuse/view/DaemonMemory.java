package io.txfs.fuse.view;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.txfs.control.ControlReply;
import io.txfs.core.Engine;
import io.txfs.core.store.StoreMemory;
import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryUsage;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;

/**
 * The daemon's memory against its budget (docs/memory.md), as the {@code stats} verb reports it:
 * the JVM's heap, metaspace and direct buffers, the process's resident size from /proc/self/status,
 * RocksDB's cache and memtables, and the bytes of the state directory.
 */
public final class DaemonMemory {
    private static final Path STATUS = Path.of("/proc/self/status");
    private final Engine engine;
    /** null: not known (tests without a state directory). */
    private final Path stateDir;

    DaemonMemory(Engine engine, Path stateDir) {
        this.engine = engine;
        this.stateDir = stateDir;
    }

    public ObjectNode report() {
        ObjectNode n = ControlReply.json().createObjectNode();
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        n.put("heap_used", heap.getUsed())
                .put("heap_committed", heap.getCommitted())
                .put("heap_max", heap.getMax());
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getName().equals("Metaspace")) {
                n.put("metaspace_used", p.getUsage().getUsed())
                        .put("metaspace_max", p.getUsage().getMax());
            }
        }
        for (BufferPoolMXBean b : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (b.getName().equals("direct")) {
                n.put("direct_used", b.getMemoryUsed());
            }
        }
        n.put("direct_max", directMax());
        n.put("rss", procStatusBytes("VmRSS:")).put("rss_peak", procStatusBytes("VmHWM:"));
        StoreMemory s = engine.storeMemory();
        n.put("block_cache_capacity", s.cacheCapacity())
                .put("block_cache_usage", s.cacheUsage())
                .put("block_cache_pinned", s.cachePinned())
                .put("memtable_budget", s.memtableBudget())
                .put("memtable_usage", s.memtableUsage());
        n.put("state_bytes", stateDir == null ? -1 : treeBytes(stateDir));
        return n;
    }

    /** -XX:MaxDirectMemorySize if given, else the JVM's default (the heap's maximum); -1 when unknown. */
    private static long directMax() {
        List<String> args = ManagementFactory.getRuntimeMXBean().getInputArguments();
        for (String a : args) {
            if (a.startsWith("-XX:MaxDirectMemorySize=")) {
                return parseSize(a.substring(a.indexOf('=') + 1));
            }
        }
        return Runtime.getRuntime().maxMemory();
    }

    static long parseSize(String s) {
        char unit = Character.toLowerCase(s.charAt(s.length() - 1));
        long scale = switch (unit) {
            case 'k' -> 1L << 10;
            case 'm' -> 1L << 20;
            case 'g' -> 1L << 30;
            default -> 1;
        };
        return Long.parseLong(scale == 1 ? s : s.substring(0, s.length() - 1)) * scale;
    }

    /** A {@code kB} line of /proc/self/status in bytes; -1 when absent. */
    static long procStatusBytes(String key) {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith(key)) {
                    return Long.parseLong(line.substring(key.length()).trim().split("\\s+")[0]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // reported as unknown
        }
        return -1;
    }

    /** Bytes of the regular files under {@code dir}; files removed while walking are skipped. */
    static long treeBytes(Path dir) {
        long[] total = {0};
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    if (attrs.isRegularFile()) {
                        total[0] += attrs.size();
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            return -1;
        }
        return total[0];
    }
}
