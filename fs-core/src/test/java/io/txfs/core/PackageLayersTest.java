package io.txfs.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * fs-core's packages are layers (docs/architecture.md, "fs-core's packages"): a package imports only
 * packages of a lower layer, so the picture in the docs stays the code's. Read from the sources, as
 * the layers are a rule about what a file may import.
 */
class PackageLayersTest {
    /** Each layer's rank; two packages of one rank (publish and flush, say) may not import each other. */
    private static final Map<String, Integer> RANK = Map.ofEntries(
            Map.entry("store", 0),
            Map.entry("progress", 0),
            Map.entry("model", 1),
            Map.entry("format", 2),
            Map.entry("trace", 2),
            Map.entry("chunks", 3),
            Map.entry("backing", 3),
            Map.entry("tree", 4),
            Map.entry("collection", 5),
            Map.entry("outside", 5),
            Map.entry("publish", 6),
            Map.entry("flush", 6),
            Map.entry("transactions", 7),
            Map.entry("", 8),
            Map.entry("inspect", 9));

    private static final Pattern IMPORT =
            Pattern.compile("^import (?:static )?io\\.txfs\\.core((?:\\.[a-z]\\w*)*)\\.[A-Z]", Pattern.MULTILINE);
    private static final Path SOURCES = Path.of("src/main/java/io/txfs/core");

    @Test
    void everyImportRunsDownTheLayers() throws IOException {
        List<String> upward = new ArrayList<>();
        int files = 0;
        try (Stream<Path> all = Files.walk(SOURCES)) {
            for (Path f : (Iterable<Path>) all.filter(p -> p.toString().endsWith(".java"))::iterator) {
                files++;
                String from = layer(SOURCES.relativize(f.getParent()).toString().replace('/', '.'));
                Matcher m = IMPORT.matcher(Files.readString(f));
                while (m.find()) {
                    String to = layer(m.group(1).isEmpty() ? "" : m.group(1).substring(1));
                    if (!to.equals(from) && RANK.get(to) >= RANK.get(from)) {
                        upward.add(SOURCES.relativize(f) + " imports io.txfs.core" + m.group(1));
                    }
                }
            }
        }
        assertTrue(files > 90, "read the engine's sources (" + files + " files from " + SOURCES.toAbsolutePath() + ")");
        assertEquals(List.of(), upward, "imports that run up or across the layers");
    }

    /** The layer of a package below io.txfs.core: its first segment ("" for the engine's own). */
    private static String layer(String pkg) {
        String first = pkg.isEmpty() ? "" : pkg.split("\\.")[0];
        if (!RANK.containsKey(first)) throw new AssertionError("package io.txfs.core." + pkg + " has no layer here");
        return first;
    }
}
