package io.txfs.tools;

import io.txfs.sys.LockFile;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SPEC: a state directory belongs to one backing directory, and a backing directory is served by one
 * state directory at a time. The pairing is recorded on both sides: {@code STATE/backing} names the
 * backing directory's identity (device, inode and the id in its marker), and {@code BACKING/.txfs/owner}
 * (the marker) names that id and the state directory that owns it. {@code .txfs} at the backing root is
 * the one name views never show, import, hash, export or flush, so the marker stays out of every tree.
 * The daemon serving BACKING holds a lock on {@code BACKING/.txfs/lock}: the kernel drops it when the
 * daemon dies, so a claim left by a daemon killed with SIGKILL never blocks a restart.
 *
 * <p>Refused, with one line naming both directories: a state directory whose record names another
 * directory; a backing directory owned by another state directory (both unless {@code --adopt}); and a
 * backing directory a live daemon serves with another state directory (always: two daemons would flush
 * into one directory). A state directory without a record (new, or written before records existed)
 * is bound silently to the backing directory it first serves.
 */
final class BackingClaim implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BackingClaim.class);
    static final String MARKER_DIR = ".txfs";
    static final String RECORD = "backing";

    private final LockFile lock;

    private BackingClaim(LockFile lock) {
        this.lock = lock;
    }

    /** The identity of a backing directory: where it is on disk, and the id in its marker (null: none yet). */
    record Identity(long dev, long ino, String id) {
        static Identity of(Path backing, String id) {
            try {
                Map<String, Object> a = Files.readAttributes(backing, "unix:dev,ino");
                return new Identity((Long) a.get("dev"), (Long) a.get("ino"), id);
            } catch (IOException e) {
                throw new UserFacingException("cannot stat backing directory " + backing + ": " + e.getMessage(), e);
            }
        }
    }

    /** STATE/backing: which directory this state directory belongs to. */
    record StateRecord(Path backing, Identity identity) {
        static Optional<StateRecord> read(Path stateDir) {
            Path file = stateDir.resolve(RECORD);
            return KeyValueFile.read(file, "path", "dev", "ino", "id")
                    .map(m -> new StateRecord(
                            Path.of(m.get("path")),
                            new Identity(
                                    KeyValueFile.number(file, m.get("dev")),
                                    KeyValueFile.number(file, m.get("ino")),
                                    m.get("id"))));
        }

        void write(Path stateDir) {
            KeyValueFile.write(
                    stateDir.resolve(RECORD),
                    "txfs: the backing directory this state directory belongs to",
                    Map.of(
                            "path",
                            backing.toString(),
                            "dev",
                            Long.toString(identity.dev()),
                            "ino",
                            Long.toString(identity.ino()),
                            "id",
                            identity.id()));
        }
    }

    /** BACKING/.txfs/owner: the backing directory's id, and the state directory that owns it. */
    record Marker(String id, Path state) {
        static Optional<Marker> read(Path backing) {
            Optional<MarkerDirectory> dir = MarkerDirectory.open(backing, false);
            if (dir.isEmpty()) {
                return Optional.empty();
            }
            try (MarkerDirectory d = dir.get()) {
                return KeyValueFile.read(d.path("owner"), "id", "state")
                        .map(m -> new Marker(m.get("id"), Path.of(m.get("state"))));
            }
        }

        void write(MarkerDirectory dir) {
            KeyValueFile.write(
                    dir.path("owner"),
                    "txfs: this directory is served by the state directory below; see docs/architecture.md",
                    Map.of("id", id, "state", state.toString()));
        }
    }

    /**
     * Refuses a pairing the daemon would refuse, without changing anything: run before the daemon is
     * started, so that the refusal is the command's own one line.
     */
    static void check(Path backing, Path stateDir, boolean adopt) {
        refuseTxfsMount(backing);
        Optional<Marker> marker = Marker.read(backing);
        if (lockHeld(backing)) {
            refuseLive(backing, stateDir, marker);
        }
        decide(backing, stateDir, marker, adopt);
    }

    /**
     * Takes BACKING for the daemon's life: its lock, then the same decision as {@link #check}, then
     * both records (the marker keeps its id; a new one is made for a directory that has none).
     */
    static BackingClaim take(Path backing, Path stateDir, boolean adopt) {
        refuseTxfsMount(backing);
        Path shown = backing.resolve(MARKER_DIR);
        FileChannel ch = null;
        try (MarkerDirectory dir = MarkerDirectory.open(backing, true).orElseThrow()) {
            ch = FileChannel.open(
                    dir.path("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
            LockFile lock = LockFile.tryLock(ch);
            if (lock == null) {
                refuseLive(backing, stateDir, Marker.read(backing));
            }
            BackingClaim claim = new BackingClaim(lock);
            ch = null;
            try {
                Marker marker =
                        decide(backing, stateDir, Marker.read(backing), adopt).orElse(null);
                String id = marker != null && marker.id() != null
                        ? marker.id()
                        : UUID.randomUUID().toString();
                if (marker == null || !id.equals(marker.id()) || !sameDirectory(marker.state(), stateDir)) {
                    new Marker(id, stateDir).write(dir);
                }
                StateRecord now = new StateRecord(backing, Identity.of(backing, id));
                if (!StateRecord.read(stateDir).equals(Optional.of(now))) {
                    log.info(
                            "state directory {} now belongs to backing directory {} (device {} inode {} id {}){}",
                            stateDir,
                            backing,
                            now.identity().dev(),
                            now.identity().ino(),
                            id,
                            adopt ? ", taken with --adopt" : "");
                }
                now.write(stateDir);
                return claim;
            } catch (RuntimeException e) {
                claim.close();
                throw e;
            }
        } catch (IOException e) {
            throw new UserFacingException(
                    "cannot claim backing directory " + backing + " (" + shown + "): " + e.getMessage(), e);
        } finally {
            if (ch != null) {
                closeQuietly(ch);
            }
        }
    }

    /**
     * The refusals that do not depend on the lock; returns the marker found (empty: none). A marker
     * naming a state directory that no longer records this directory's id is a claim nobody holds.
     */
    private static Optional<Marker> decide(Path backing, Path stateDir, Optional<Marker> marker, boolean adopt) {
        Optional<StateRecord> record = StateRecord.read(stateDir);
        if (record.isPresent() && !adopt) {
            Identity now = Identity.of(backing, marker.map(Marker::id).orElse(null));
            String why = mismatch(record.get().identity(), now);
            if (why != null) {
                Path was = record.get().backing();
                if (was.equals(backing)) {
                    throw new UserFacingException(
                            "state directory " + stateDir + " belongs to the directory that was at "
                                    + backing + " when it was recorded, not the one there now (" + why
                                    + "); --adopt binds it to "
                                    + backing + " as it is now");
                }
                throw new UserFacingException("state directory " + stateDir + " belongs to backing directory " + was
                        + ", not " + backing + " (" + why + "); --adopt binds it to " + backing);
            }
        }
        if (marker.isPresent() && !adopt && !sameDirectory(marker.get().state(), stateDir) && claimed(marker.get())) {
            throw new UserFacingException("backing directory " + backing + " belongs to state directory "
                    + marker.get().state() + ", not " + stateDir + "; --adopt takes it over (the views and unflushed"
                    + " publishes kept in " + marker.get().state() + " are then no longer served)");
        }
        return marker;
    }

    private static String mismatch(Identity recorded, Identity now) {
        if (recorded.dev() != now.dev() || recorded.ino() != now.ino()) {
            return "recorded device " + recorded.dev() + " inode " + recorded.ino() + ", found device " + now.dev()
                    + " inode " + now.ino();
        }
        if (now.id() == null) {
            return "its marker " + MARKER_DIR + "/owner is missing";
        }
        if (!now.id().equals(recorded.id())) {
            return "recorded id " + recorded.id() + ", its marker says " + now.id();
        }
        return null;
    }

    /** Whether the state directory a marker names still records this id: else the claim was abandoned. */
    private static boolean claimed(Marker m) {
        try {
            return StateRecord.read(m.state())
                    .map(r -> r.identity().id().equals(m.id()))
                    .orElse(false);
        } catch (UserFacingException unreadable) {
            return true; // cannot tell: better refused with a message than taken silently
        }
    }

    private static void refuseLive(Path backing, Path stateDir, Optional<Marker> marker) {
        Optional<Path> owner = marker.map(Marker::state);
        if (owner.isPresent() && sameDirectory(owner.get(), stateDir)) {
            throw new UserFacingException(
                    "state directory " + stateDir + " is in use by another txfs daemon (serving " + backing + ")");
        }
        throw new UserFacingException("backing directory " + backing + " is being served by another txfs daemon"
                + owner.map(o -> " with state directory " + o).orElse("") + "; it cannot also be served with "
                + stateDir + " (not even with --adopt): unmount it first");
    }

    private static void refuseTxfsMount(Path backing) {
        if (MountTable.typeAt(backing).map(t -> t.equals("fuse.txfs")).orElse(false)) {
            throw new UserFacingException(
                    "backing directory " + backing + " is itself a txfs mount, served already;" + " unmount it first");
        }
    }

    /** Whether a live process holds BACKING's lock. Probes without creating anything. */
    private static boolean lockHeld(Path backing) {
        Optional<MarkerDirectory> dir = MarkerDirectory.open(backing, false);
        if (dir.isEmpty()) {
            return false;
        }
        try (MarkerDirectory d = dir.get();
                FileChannel ch =
                        FileChannel.open(d.path("lock"), StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
            LockFile l = LockFile.tryLock(ch);
            if (l == null) {
                return true;
            }
            l.close();
            return false;
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            throw new UserFacingException(
                    "cannot check the lock of backing directory " + backing + ": " + e.getMessage(), e);
        }
    }

    private static boolean sameDirectory(Path a, Path b) {
        if (a.equals(b)) {
            return true;
        }
        try {
            return Files.exists(a) && Files.exists(b) && Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing was written through it
        }
    }

    /** Releases BACKING (the records stay: they name the pairing, not that it is being served). */
    @Override
    public void close() {
        try {
            lock.close();
        } catch (IOException ignored) {
            // the lock goes with the channel, and with the process at the latest
        }
    }

    /** Small "key=value" files, written whole (a temporary file renamed over the old one). */
    static final class KeyValueFile {
        private KeyValueFile() {}

        /** The file's values, or empty if there is no file; a file without one of the keys is refused. */
        static Optional<Map<String, String>> read(Path file, String... keys) {
            try {
                Map<String, String> m = new HashMap<>();
                for (String line : Files.readAllLines(file)) {
                    int eq = line.indexOf('=');
                    if (!line.startsWith("#") && eq > 0) {
                        m.put(line.substring(0, eq), line.substring(eq + 1));
                    }
                }
                for (String k : keys) {
                    if (m.get(k) == null || m.get(k).isEmpty()) {
                        throw new UserFacingException(
                                file + " is damaged (no " + k + "=); remove it to record the pairing afresh");
                    }
                }
                return Optional.of(m);
            } catch (NoSuchFileException e) {
                return Optional.empty();
            } catch (IOException e) {
                throw new UserFacingException("cannot read " + file + ": " + e.getMessage(), e);
            }
        }

        static long number(Path file, String value) {
            try {
                return Long.parseLong(value);
            } catch (NumberFormatException e) {
                throw new UserFacingException(
                        file + " is damaged ('" + value + "' is not a number); remove it to record the pairing afresh",
                        e);
            }
        }

        static void write(Path file, String comment, Map<String, String> values) {
            StringBuilder b = new StringBuilder("# ").append(comment).append('\n');
            new TreeMap<>(values)
                    .forEach((k, v) -> b.append(k).append('=').append(v).append('\n'));
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            try {
                Files.writeString(
                        tmp,
                        b,
                        StandardOpenOption.CREATE,
                        StandardOpenOption.TRUNCATE_EXISTING,
                        StandardOpenOption.WRITE,
                        StandardOpenOption.SYNC);
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw new UserFacingException("cannot write " + file + ": " + e.getMessage(), e);
            }
        }
    }
}
