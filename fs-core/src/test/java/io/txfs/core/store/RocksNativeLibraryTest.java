package io.txfs.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A fresh JVM (as a daemon or a crash-test child) maps RocksDB from the shared cache, not a new /tmp copy. */
final class RocksNativeLibraryTest {
    /** Opens a store in args[0] and prints every mapped path of the RocksDB library. */
    public static void main(String[] args) throws Exception {
        try (RocksStore s = new RocksStore(Path.of(args[0]))) {
            s.get(ColumnFamily.META, new byte[] {1});
        }
        Files.readAllLines(Path.of("/proc/self/maps")).stream()
                .filter(l -> l.contains("librocksdbjni"))
                .map(l -> l.substring(l.indexOf('/')))
                .distinct()
                .forEach(System.out::println);
    }

    @Test
    void aFreshJvmMapsRocksDbFromTheSharedCache(@TempDir Path dir) throws Exception {
        Path home = Files.createDirectory(dir.resolve("home"));
        for (int run = 0; run < 2; run++) {
            ProcessBuilder pb = new ProcessBuilder(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp",
                    System.getProperty("java.class.path"),
                    RocksNativeLibraryTest.class.getName(),
                    dir.resolve("db" + run).toString());
            pb.environment().remove("XDG_CACHE_HOME");
            pb.environment().put("HOME", home.toString()); // the XDG base: $HOME, not the password file's
            pb.redirectErrorStream(true);
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), out);
            List<String> mapped =
                    out.lines().filter(l -> l.contains("librocksdbjni")).toList();
            assertEquals(1, mapped.size(), out);
            assertTrue(mapped.get(0).startsWith(home + "/.cache/txfs/native/rocksdbjni-"), out);
            assertTrue(Files.isRegularFile(Path.of(mapped.get(0))), "the copy stays for the next JVM: " + out);
        }
    }
}
