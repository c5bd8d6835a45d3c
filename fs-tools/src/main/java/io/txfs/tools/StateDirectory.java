package io.txfs.tools;

import io.txfs.sys.LockFile;
import io.txfs.sys.UserDirs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.function.Supplier;

/** Where a mount keeps its store and logs: created 0700, owned by one daemon at a time (a lock file). */
final class StateDirectory {
    private final Path dir;

    private StateDirectory(Path dir) {
        this.dir = dir;
    }

    /** The state directory given, or a per-mountpoint default outside the backing tree. */
    static StateDirectory forMount(Path explicit, Path mountpoint) {
        Path dir = explicit != null ? explicit.toAbsolutePath().normalize() : defaultFor(mountpoint);
        return new StateDirectory(dir);
    }

    /** Where default state directories go: /var/lib/txfs for root, the XDG state directory otherwise. */
    static Path defaultBase() {
        if ("root".equals(System.getProperty("user.name"))) return Path.of("/var/lib/txfs");
        String xdg = System.getenv("XDG_STATE_HOME");
        return xdg != null && !xdg.isEmpty()
                ? Path.of(xdg, "txfs")
                : Path.of(UserDirs.home(), ".local", "state", "txfs");
    }

    private static Path defaultFor(Path mountpoint) {
        return defaultBase().resolve(shortHash(mountpoint.toString()));
    }

    private static String shortHash(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    Path path() {
        return dir;
    }

    /**
     * A check for the daemon's mount watch: a reason to stop serving once this directory was deleted or
     * replaced, since the store's next files could not be written (and a second daemon could take the
     * path). Its identity is taken now.
     */
    Supplier<Optional<String>> goneCheck() {
        Object key = identity();
        return () -> {
            Object now = identity();
            if (now == null) return Optional.of("the state directory " + dir + " was deleted");
            if (!now.equals(key)) return Optional.of("the state directory " + dir + " was replaced by another");
            return Optional.empty();
        };
    }

    private Object identity() {
        try {
            return Files.readAttributes(dir, BasicFileAttributes.class).fileKey();
        } catch (IOException gone) {
            return null;
        }
    }

    Path logFile() {
        return dir.resolve("txfs.log");
    }

    Path daemonOutput() {
        return dir.resolve("daemon.out");
    }

    Path pidFile() {
        return dir.resolve("daemon.pid");
    }

    void create() {
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir.getParent());
                Files.createDirectory(
                        dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        } catch (IOException e) {
            throw new UserFacingException("cannot create state directory " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Takes the one-daemon-per-state-directory lock for the life of this process (released when it dies). */
    LockFile lock() {
        try {
            LockFile lock = LockFile.tryLock(dir.resolve("lock"));
            if (lock == null) {
                throw new UserFacingException("state directory " + dir + " is in use by another txfs daemon");
            }
            return lock;
        } catch (IOException e) {
            throw new UserFacingException("cannot lock state directory " + dir + ": " + e.getMessage(), e);
        }
    }
}
