package io.txfs.core;

import io.txfs.core.model.FsException;
import io.txfs.core.model.StateSize;
import io.txfs.core.store.Store;
import io.txfs.sys.Errno;
import io.txfs.sys.LockFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's state directory (the store, chunk files, scratch space), held with a file lock so that one
 * engine at a time opens it. An engine over a memory store may have none: then {@link #path} is null.
 */
final class EngineDirectory implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EngineDirectory.class);

    final Path path;
    /** Null without a state directory. */
    private final LockFile lock;

    private EngineDirectory(Path path, LockFile lock) {
        this.path = path;
        this.lock = lock;
    }

    /** Creates (owner-only) and locks dir; EBUSY if another engine holds it. dir null: no state directory. */
    static EngineDirectory lock(Path dir) {
        if (dir == null) return new EngineDirectory(null, null);
        try {
            Files.createDirectories(
                    dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            LockFile lk = LockFile.tryLock(dir.resolve("lock"));
            if (lk == null) {
                throw new FsException(Errno.EBUSY, "state directory " + dir + " is in use by another engine");
            }
            return new EngineDirectory(dir, lk);
        } catch (IOException e) {
            throw new UncheckedIOException("open state directory " + dir, e);
        }
    }

    /**
     * Where the daemon keeps files of work in progress (an import's spooled layer): in the state directory,
     * whose filesystem was chosen for txfs's data and is counted in {@link #bytes}, not the system's
     * temporary directory (often small, or memory). Emptied at open: a spool a killed daemon left is garbage.
     * Null without a state directory (an in-memory store): use the system's.
     */
    Path scratch() throws IOException {
        if (path == null) return null;
        Path dir = path.resolve("scratch");
        Files.createDirectories(dir);
        return dir;
    }

    void emptyScratch() {
        if (path == null) return;
        Path dir = path.resolve("scratch");
        if (!Files.isDirectory(dir)) return;
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) Files.deleteIfExists(f);
        } catch (IOException e) {
            log.warn("cannot empty {}: {}", dir, e.toString());
        }
    }

    /** Bytes of the state directory (store and chunk files); the store's estimate when there is none. */
    long bytes(Store store) {
        return path != null ? StateSize.of(path) : store.approximateSize();
    }

    @Override
    public void close() {
        try {
            if (lock != null) lock.close();
        } catch (IOException e) {
            log.warn("releasing the state lock: {}", e.toString());
        }
    }
}
