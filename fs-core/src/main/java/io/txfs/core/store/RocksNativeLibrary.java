package io.txfs.core.store;

import io.txfs.sys.UserDirs;
import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.CodeSource;
import java.util.List;
import org.rocksdb.RocksDB;
import org.rocksdb.util.Environment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads RocksDB's native library from one extracted copy per machine and RocksDB version
 * ({@code ~/.cache/txfs/native/<rocksdbjni jar name>/}, or {@code $XDG_CACHE_HOME}). RocksDB's own loader
 * copies the 14 MiB library into a fresh temp file in every JVM and deletes it only at a normal exit,
 * so every daemon or crash-test child killed with SIGKILL left one behind in /tmp (gigabytes after a
 * few test runs). Falls back to RocksDB's loader when the cache cannot be used.
 */
final class RocksNativeLibrary {
    private static final Logger log = LoggerFactory.getLogger(RocksNativeLibrary.class);

    private RocksNativeLibrary() {}

    static void load() {
        try {
            Path dir = cacheDirectory();
            if (dir != null) {
                extractOnce(dir);
                RocksDB.loadLibrary(List.of(dir.toString()));
                return;
            }
        } catch (IOException | RuntimeException | UnsatisfiedLinkError e) {
            log.debug("cannot load RocksDB from the shared cache ({}); using its own loader", e.toString());
        }
        RocksDB.loadLibrary();
    }

    /** The cache directory for this rocksdbjni jar, or null when it is unknown (not loaded from a jar). */
    private static Path cacheDirectory() throws IOException {
        CodeSource source = RocksDB.class.getProtectionDomain().getCodeSource();
        if (source == null || source.getLocation() == null) {
            return null;
        }
        Path jar;
        try {
            jar = Path.of(source.getLocation().toURI());
        } catch (URISyntaxException | IllegalArgumentException e) {
            return null;
        }
        String name = jar.getFileName().toString();
        if (!name.endsWith(".jar")) {
            return null;
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && xdg.startsWith("/") ? Path.of(xdg) : Path.of(UserDirs.home(), ".cache");
        return base.resolve("txfs").resolve("native").resolve(name.substring(0, name.length() - 4));
    }

    /** Puts the library in {@code dir} unless a complete copy is there; a half-written copy is never visible. */
    private static void extractOnce(Path dir) throws IOException {
        String file = Environment.getJniLibraryFileName("rocksdb");
        // RocksDB.loadLibrary(paths) looks for the jar's file under this other name ("librocksdbjnijni-…")
        Path target = dir.resolve(Environment.getJniLibraryFileName("rocksdbjni"));
        URL resource = RocksDB.class.getClassLoader().getResource(file);
        if (resource == null) {
            throw new IOException(file + " is not in the rocksdbjni jar");
        }
        URLConnection entry = resource.openConnection();
        entry.setUseCaches(false); // a cached jar would stay open for the JVM's life
        try {
            long size = entry.getContentLengthLong();
            if (size > 0 && Files.isRegularFile(target) && Files.size(target) == size) {
                return;
            }
            extract(entry, dir, file, target);
        } finally {
            if (entry instanceof JarURLConnection jar) {
                jar.getJarFile().close();
            }
        }
    }

    private static void extract(URLConnection entry, Path dir, String file, Path target) throws IOException {
        try (InputStream in = entry.getInputStream()) {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, file, ".part");
            try {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                // concurrent JVMs may both extract: the rename replaces atomically, a loaded copy stays valid
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
    }
}
