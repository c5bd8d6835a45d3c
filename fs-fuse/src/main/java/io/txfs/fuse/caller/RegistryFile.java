package io.txfs.fuse.caller;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry's entries on disk, so processes keep their views across a daemon restart. One entry a
 * line ({@code pid start view since}); rewritten whole through a temporary file and a rename, so a
 * crash leaves the old or the new list. On load, entries of processes that no longer run (or whose pid
 * now names another process) are dropped.
 */
final class RegistryFile {
    private static final Logger log = LoggerFactory.getLogger(RegistryFile.class);
    private static final String HEADER = "txfs-processes 1";

    private final Path file;

    RegistryFile(Path file) {
        this.file = file;
    }

    List<ViewRegistry.Entry> load(ProcessTable processes) {
        List<ViewRegistry.Entry> out = new ArrayList<>();
        if (!Files.exists(file)) {
            return out;
        }
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            if (lines.isEmpty() || !lines.get(0).equals(HEADER)) {
                log.warn("ignoring {}: not a process registry of this format", file);
                return out;
            }
            for (String l : lines.subList(1, lines.size())) {
                String[] f = l.split("\t");
                if (f.length != 4) {
                    continue;
                }
                ProcessKey k = new ProcessKey(Integer.parseInt(f[0]), Long.parseLong(f[1]));
                if (alive(processes, k)) {
                    out.add(new ViewRegistry.Entry(k, f[2], Long.parseLong(f[3])));
                }
            }
        } catch (IOException | RuntimeException e) {
            log.warn("cannot read process registry {}: {}", file, e.toString());
        }
        return out;
    }

    static boolean alive(ProcessTable processes, ProcessKey k) {
        try {
            return processes.stat(k.pid()).startTime() == k.startTime();
        } catch (NoSuchProcessException e) {
            return false;
        }
    }

    void save(List<ViewRegistry.Entry> entries) {
        StringBuilder b = new StringBuilder(HEADER).append('\n');
        for (ViewRegistry.Entry e : entries) {
            b.append(e.process().pid())
                    .append('\t')
                    .append(e.process().startTime())
                    .append('\t')
                    .append(e.view())
                    .append('\t')
                    .append(e.since())
                    .append('\n');
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.writeString(tmp, b, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            log.warn("cannot save process registry {}: {}", file, e.toString());
        }
    }
}
