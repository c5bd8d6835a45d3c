package io.txfs.fuse;

import io.txfs.sys.Fusermount;
import io.txfs.sys.LibC;
import io.txfs.sys.MountInfo;
import io.txfs.sys.StatBuf;
import io.txfs.sys.Sys;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A mounted filesystem served over /dev/fuse by this process. {@link #mount} returns once a probe
 * (a stat of the mountpoint from another thread) was answered by the filesystem; {@link #close}
 * unmounts, lets in-flight requests finish and stops the readers.
 */
public final class FuseMount implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FuseMount.class);
    private static final LibC C = LibC.INSTANCE;
    private static final long PROBE_TIMEOUT_MS = 15_000;
    private static final long CLOSE_TIMEOUT_MS = 10_000;
    private static final int EPERM = 1;
    private static final int EACCES = 13;
    private static final int EINVAL = 22;
    private static final int EBUSY = 16;
    private static final int ENOTCONN = 107;
    private static final int ECONNABORTED = 103;
    private static final int ENODEV = 19;

    private final Path mountpoint;
    private final FuseSession session;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CountDownLatch closeDone = new CountDownLatch(1);
    private volatile Thread exitHook;
    /** The connection's number under /sys/fs/fuse/connections (the mount's minor device), or -1. */
    private volatile long connectionMinor = -1;

    private volatile Supplier<Optional<String>> endWhen = Optional::empty;
    private volatile Optional<String> endedBecause = Optional.empty();

    private FuseMount(Path mountpoint, FuseSession session) {
        this.mountpoint = mountpoint;
        this.session = session;
    }

    public static FuseMount mount(Path mountpoint, FuseFilesystem fs, MountOptions opts) throws IOException {
        Path mp = mountpoint.toAbsolutePath().normalize();
        ByteBuffer st = StatBuf.allocate();
        if (C.stat(mp.toString(), st) != 0) {
            throw new FuseMountException("cannot stat mountpoint " + mp + ": " + C.strerror(LibC.errno()));
        }
        int rootmode = StatBuf.mode(st) & Sys.S_IFMT;
        int fd = C.open("/dev/fuse", Sys.O_RDWR | Sys.O_CLOEXEC, 0);
        if (fd < 0) {
            int e = LibC.errno();
            // a user may not open it where it is 0600; fusermount3 opens it as root and hands it over
            if ((e != EACCES && e != EPERM) || !Fusermount.available()) {
                throw new FuseMountException("cannot open /dev/fuse: " + C.strerror(e)
                        + (e == 2 ? " (is the fuse module loaded? in a container, pass --device /dev/fuse)" : ""));
            }
        }
        // Registered before mount(2): a SIGTERM at any moment from here on still unmounts.
        AtomicReference<FuseMount> served = new AtomicReference<>();
        AtomicBoolean mountedOnly = new AtomicBoolean();
        Thread hook = new Thread(
                () -> {
                    FuseMount m = served.get();
                    if (m != null) {
                        m.close();
                    } else if (mountedOnly.get()) {
                        C.umount2(mp.toString(), Sys.MNT_DETACH);
                    }
                },
                "fuse-unmount-on-exit");
        Runtime.getRuntime().addShutdownHook(hook);
        String data = "fd=" + fd + ",rootmode=" + Integer.toOctalString(rootmode) + ",user_id=" + C.getuid()
                + ",group_id=" + C.getgid() + (opts.allowOther() ? ",allow_other" : "")
                + (opts.defaultPermissions() ? ",default_permissions" : "");
        if (fd < 0) {
            fd = mountThroughFusermount(mp, opts, hook);
        } else if (C.mount(opts.fsName(), mp.toString(), "fuse." + opts.subtype(), Sys.MS_NOSUID | Sys.MS_NODEV, data)
                != 0) {
            int e = LibC.errno();
            C.close(fd);
            if (e != EPERM) {
                removeHook(hook);
                throw new FuseMountException(
                        "mount(2) of " + mp + " failed: " + C.strerror(e) + " (data " + data + ")");
            }
            // no CAP_SYS_ADMIN: the setuid helper mounts for us, as for every FUSE filesystem
            fd = mountThroughFusermount(mp, opts, hook);
        }
        Dispatcher dispatcher = new Dispatcher(fs, opts.writebackCache(), opts.passthrough());
        dispatcher.defaultPermissions(opts.defaultPermissions());
        FuseSession session = new FuseSession(
                new DevFuseChannel(fd),
                fs,
                dispatcher,
                opts.readerThreads(),
                mp.getFileName() == null ? "root" : mp.getFileName().toString());
        mountedOnly.set(true);
        FuseMount m = new FuseMount(mp, session);
        m.exitHook = hook;
        served.set(m);
        session.start();
        try {
            m.awaitServing();
        } catch (IOException | RuntimeException e) {
            m.close();
            throw e;
        }
        LOG.info("mounted {} on {} ({})", opts.fsName(), mp, opts);
        if (m.connectionMinor >= 0) {
            new MountWatch(mp, m.connectionMinor, session, m::endConnection, () -> m.endWhen.get()).start();
        }
        return m;
    }

    private static int mountThroughFusermount(Path mp, MountOptions opts, Thread hook) throws IOException {
        if (!Fusermount.available()) {
            removeHook(hook);
            throw new FuseMountException("mount(2) of " + mp + " was refused (EPERM) and " + Fusermount.PATH
                    + " is missing: install fuse3 (apt-get install fuse3) to mount as a user, or run as root");
        }
        String o = "nosuid,nodev,fsname=" + escapeOption(opts.fsName()) + ",subtype=" + escapeOption(opts.subtype())
                + (opts.allowOther() ? ",allow_other" : "")
                + (opts.defaultPermissions() ? ",default_permissions" : "");
        try {
            return Fusermount.mount(mp, o);
        } catch (IOException e) {
            removeHook(hook);
            throw new FuseMountException("cannot mount " + mp + " as uid " + C.getuid() + ": " + e.getMessage(), e);
        }
    }

    /** fusermount3 splits its -o at commas; a backslash escapes one, as libfuse writes them. */
    private static String escapeOption(String v) {
        return v.replace("\\", "\\\\").replace(",", "\\,");
    }

    /**
     * Waits until INIT was answered and a stat of the mountpoint came back from the filesystem. The stat
     * runs in a child process, never in this one: a thread of the daemon waiting on its own mount cannot
     * be killed once a reader took its request, so a SIGKILL at that moment left an unkillable daemon
     * holding /dev/fuse, and the mount hung (seen in MountLifecycleIT). A child stuck the same way ends
     * when the daemon's death closes the connection.
     */
    private void awaitServing() throws IOException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PROBE_TIMEOUT_MS);
        try {
            session.dispatcher().initFuture().get(remaining(deadline), TimeUnit.NANOSECONDS);
            long dev = probe(deadline);
            connectionMinor = dev >= 0 ? Sys.minor(dev) : minorFromMountinfo(mountpoint);
        } catch (TimeoutException e) {
            throw new FuseMountException(
                    "the mount at " + mountpoint + " did not answer within " + PROBE_TIMEOUT_MS + " ms");
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            throw c instanceof IOException ? (IOException) c : new FuseMountException("mount probe failed", c);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FuseMountException("interrupted while waiting for the mount to answer");
        }
    }

    /** The mountpoint's device number as stat(1) in a child process sees it; -1 when it answered with an error. */
    private long probe(long deadline) throws IOException, InterruptedException, TimeoutException {
        Process p;
        try {
            p = new ProcessBuilder("stat", "-c", "%d", mountpoint.toString())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectErrorStream(true)
                    .start();
        } catch (IOException e) {
            LOG.warn("cannot run stat(1) to probe the mount ({}); INIT was answered, going on", e.toString());
            return -1;
        }
        try {
            if (!p.waitFor(remaining(deadline), TimeUnit.NANOSECONDS)) {
                throw new TimeoutException();
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (p.exitValue() == 0) {
                return Long.parseLong(out);
            }
            if (out.contains("not connected") || out.contains("aborted") || out.contains("No such device")) {
                throw new FuseMountException("probe stat of " + mountpoint + " failed: " + out);
            }
            // The filesystem answered, with an error: it is serving, though its root is unhappy.
            LOG.warn("the filesystem answered the mount probe's stat of {} with: {}", mountpoint, out);
            return -1;
        } catch (NumberFormatException e) {
            throw new FuseMountException("probe stat of " + mountpoint + " printed something unexpected");
        } finally {
            p.destroyForcibly();
        }
    }

    private static long remaining(long deadline) {
        return Math.max(1, deadline - System.nanoTime());
    }

    public Path mountpoint() {
        return mountpoint;
    }

    public InitInfo negotiated() {
        return session.dispatcher().info();
    }

    public Notifier notifier() {
        return session;
    }

    /**
     * A condition under which the daemon must stop serving (checked every second): a reason when it holds.
     * The mount is then detached and its connection aborted, as for an unmount nobody waits for.
     */
    public void endWhen(Supplier<Optional<String>> reason) {
        this.endWhen = reason;
    }

    /** Why the mount watch ended the mount, when an {@link #endWhen} condition did it. */
    public Optional<String> endedBecause() {
        return endedBecause;
    }

    /** Detaches the mount where it still is and aborts the connection: the readers see ENODEV. */
    private void endConnection(Optional<String> reason) {
        endedBecause = reason;
        if (MountInfo.topmostAt(mountsOrEmpty(), mountpoint)
                .filter(mt -> mt.major() == 0 && mt.minor() == connectionMinor)
                .isPresent()) {
            try {
                detach(mountpoint);
            } catch (IOException e) {
                LOG.warn("cannot detach {}: {}", mountpoint, e.getMessage());
            }
        }
        abortConnection();
    }

    private static java.util.List<MountInfo.Mount> mountsOrEmpty() {
        try {
            return MountInfo.self();
        } catch (IOException e) {
            return java.util.List.of();
        }
    }

    /** Returns when the session has ended: after {@link #close()} or an external unmount. */
    public void awaitTermination() throws InterruptedException {
        session.awaitEnd();
    }

    /** Unmounts (lazily if busy), waits for the readers to finish, and closes the device. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            // a second caller (say, the CLI's shutdown hook next to ours) returns only once it is done
            try {
                closeDone.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return;
        }
        try {
            unmountAndWait();
        } finally {
            closeDone.countDown();
            if (Thread.currentThread() != exitHook) {
                removeHook(exitHook);
            }
        }
    }

    private static void removeHook(Thread hook) {
        if (hook == null) {
            return;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the JVM is exiting; the hook runs or ran
        }
    }

    private void unmountAndWait() {
        if (!session.hasEnded()) {
            int rc = umount(mountpoint.toString());
            if (rc == EPERM && Fusermount.available()) {
                try {
                    Fusermount.unmount(mountpoint, true);
                    rc = 0;
                } catch (IOException e) {
                    LOG.warn("unmounting {} through {} failed: {}", mountpoint, Fusermount.PATH, e.getMessage());
                }
            }
            if (rc != 0 && rc != EINVAL && rc != EPERM) {
                LOG.warn("unmounting {} failed: {}", mountpoint, C.strerror(rc));
            }
        }
        try {
            if (!session.awaitEnd(CLOSE_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                LOG.warn(
                        "{} is still in use {} ms after a lazy unmount; aborting the connection",
                        mountpoint,
                        CLOSE_TIMEOUT_MS);
                abortConnection();
                if (!session.awaitEnd(CLOSE_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                    LOG.error("FUSE session on {} did not end; giving up", mountpoint);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The minor device number of the mount at {@code mountpoint} per /proc/self/mountinfo, or -1. */
    private static long minorFromMountinfo(Path mountpoint) {
        try {
            return MountInfo.at(mountpoint).map(m -> (long) m.minor()).orElse(-1L);
        } catch (IOException | RuntimeException e) {
            LOG.debug("cannot read /proc/self/mountinfo", e);
            return -1;
        }
    }

    private void abortConnection() {
        long minor = connectionMinor;
        if (minor < 0) {
            LOG.warn("cannot find the FUSE connection of {} to abort it", mountpoint);
            return;
        }
        abortConnection(minor);
    }

    private static final Path CONNECTIONS = Path.of("/sys/fs/fuse/connections");

    /** The fusectl directory of connection {@code minor}, mounting fusectl first when it is absent. */
    private static Path connectionDir(long minor) {
        Path dir = CONNECTIONS.resolve(Long.toString(minor));
        if (!Files.exists(dir) && C.mount("fusectl", CONNECTIONS.toString(), "fusectl", 0, null) != 0) {
            LOG.debug("cannot mount fusectl on {}: {}", CONNECTIONS, C.strerror(LibC.errno()));
        }
        return dir;
    }

    private static void abortConnection(long minor) {
        Path abort = connectionDir(minor).resolve("abort");
        try {
            Files.write(abort, "1".getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            LOG.warn("cannot abort the FUSE connection via {}: {}", abort, e.toString());
        }
    }

    /** How {@link #unmountAndEnd} ended the mount. */
    public enum Ending {
        /** The kernel ended the connection at the unmount (or within the grace period): the daemon saw the end. */
        ENDED,
        /**
         * The mount lived on after the grace period (in other mount namespaces, e.g. of {@code txfs run},
         * or lazily detached with files open) and its connection was aborted: those processes get ENOTCONN.
         */
        ABORTED,
        /** The connection could not be found (no fusectl): unmounted here, the end was not observed. */
        UNOBSERVED
    }

    /**
     * Unmounts a FUSE mount served by any process (refused with {@link MountBusyException} while a process
     * in this namespace uses it), and makes sure its connection ends. A plain unmount removes the mount
     * from the caller's mount namespace only: a copy in a private namespace (as {@code txfs run} starts
     * them) keeps the superblock, and with it the daemon, serving. The daemon's own watch ends the
     * connection about a second after the mount left its namespace when no process uses it any more; this
     * waits up to {@code graceMs} for that (the kernel removes the connection's fusectl directory when it
     * ends), and otherwise aborts it through {@code /sys/fs/fuse/connections/N/abort}.
     */
    public static Ending unmountAndEnd(Path mountpoint, long graceMs) throws IOException {
        Path mnt = mountpoint.toAbsolutePath().normalize();
        long minor = minorFromMountinfo(mnt);
        Path dir = minor >= 0 ? connectionDir(minor) : null;
        boolean observable = dir != null && Files.isDirectory(dir);
        String p = mnt.toString();
        if (C.umount2(p, 0) != 0) {
            int e = LibC.errno();
            if (e == EBUSY) throw new MountBusyException(p + " is busy (a process in it appeared meanwhile)");
            if (e != EPERM || !Fusermount.available()) throw failure(p, e);
            try {
                Fusermount.unmount(mnt, false);
            } catch (IOException refused) {
                if (refused.getMessage().contains("busy")) throw new MountBusyException(refused.getMessage());
                throw refused;
            }
        }
        if (!observable) {
            return Ending.UNOBSERVED;
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(graceMs);
        while (Files.exists(dir)) {
            if (System.nanoTime() - deadline > 0) {
                LOG.warn(
                        "{} is still mounted elsewhere {} ms after the unmount (another mount namespace, or open files); "
                                + "aborting its FUSE connection {}",
                        mnt,
                        graceMs,
                        minor);
                abortConnection(minor);
                return Ending.ABORTED;
            }
            try {
                Thread.sleep(20); // polling an external condition: the kernel offers no notification for it
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for " + mnt + " to end", e);
            }
        }
        return Ending.ENDED;
    }

    /**
     * {@code txfs unmount --lazy}: detaches the mount from this namespace now; processes still using it go on,
     * served by the daemon until the last lets go (its mount watch then ends the connection).
     */
    public static void detach(Path mountpoint) throws IOException {
        String p = mountpoint.toAbsolutePath().normalize().toString();
        if (C.umount2(p, Sys.MNT_DETACH) != 0) {
            int e = LibC.errno();
            if (e != EPERM || !Fusermount.available()) throw failure(p, e);
            Fusermount.unmount(Path.of(p), true);
        }
    }

    /**
     * {@code txfs unmount --force}: detaches the mount and aborts its connection at once; every process still
     * using it gets ENOTCONN, the daemon's readers see ENODEV and it shuts down. Returns whether the
     * connection could be found to abort.
     */
    public static boolean detachAndAbort(Path mountpoint) throws IOException {
        Path mnt = mountpoint.toAbsolutePath().normalize();
        long minor = minorFromMountinfo(mnt);
        detach(mnt);
        if (minor < 0 || !Files.isDirectory(connectionDir(minor))) return false;
        abortConnection(minor);
        return true;
    }

    private static FuseMountException failure(String p, int e) {
        if (e == EPERM) {
            return new FuseMountException("unmounting " + p + " needs CAP_SYS_ADMIN (run as root, or fusermount3 -u)");
        }
        if (e == EINVAL) {
            return new FuseMountException(p + " is not a mount point");
        }
        return new FuseMountException("unmounting " + p + " failed: " + C.strerror(e));
    }

    /** umount2, falling back to a lazy detach when busy; returns 0 or the errno. */
    private static int umount(String path) {
        if (C.umount2(path, 0) == 0) {
            return 0;
        }
        int e = LibC.errno();
        if (e == EBUSY) {
            if (C.umount2(path, Sys.MNT_DETACH) == 0) {
                return 0;
            }
            e = LibC.errno();
        }
        return e;
    }

    /** Unmounts a FUSE mount served by any process (e.g. {@code txfs unmount}). */
    public static void unmount(Path mountpoint) throws IOException {
        String p = mountpoint.toAbsolutePath().normalize().toString();
        int e = umount(p);
        if (e == ENOTCONN || e == ECONNABORTED) {
            if (C.umount2(p, Sys.MNT_DETACH) == 0) {
                return;
            }
            e = LibC.errno();
        }
        if (e == 0) {
            return;
        }
        throw failure(p, e);
    }

    /** Whether the FUSE mount at {@code mountpoint} is dead: its daemon is gone (statfs says ENOTCONN). */
    public static boolean isDead(Path mountpoint) {
        ByteBuffer st = ByteBuffer.allocateDirect(256);
        if (C.statfs(mountpoint.toAbsolutePath().normalize().toString(), st) == 0) return false;
        int e = LibC.errno();
        return e == ENOTCONN || e == ECONNABORTED;
    }

    /** If a dead FUSE mount is at {@code mountpoint} (stat gives ENOTCONN), detaches it and returns true. */
    public static boolean clearStaleMount(Path mountpoint) {
        String p = mountpoint.toAbsolutePath().normalize().toString();
        // statfs, not stat: the kernel answers stat of a dead mount's root from its attribute cache for a
        // while, but always asks the filesystem for statfs (an aborted connection says ENOTCONN at once)
        ByteBuffer st = ByteBuffer.allocateDirect(256);
        if (C.statfs(p, st) == 0) {
            return false;
        }
        int e = LibC.errno();
        if (e != ENOTCONN && e != ECONNABORTED) {
            return false;
        }
        if (C.umount2(p, Sys.MNT_DETACH) != 0) {
            int refusal = LibC.errno();
            try {
                if (refusal != EPERM || !Fusermount.available()) throw failure(p, refusal);
                Fusermount.unmount(Path.of(p), true);
            } catch (IOException refused) {
                LOG.warn("cannot detach the dead mount at {}: {}", p, refused.getMessage());
                return false;
            }
        }
        LOG.info("detached a dead FUSE mount at {}", p);
        return true;
    }
}
