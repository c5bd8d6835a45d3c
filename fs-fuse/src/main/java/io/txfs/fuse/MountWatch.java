package io.txfs.fuse;

import io.txfs.sys.MountInfo;
import io.txfs.sys.MountUsers;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends the daemon soon after its mount is gone. An unmount ({@code umount}, {@code umount -l},
 * {@code fusermount3 -u}) removes the mount from one mount namespace; copies of it in other namespaces
 * (those of {@code txfs run}, or of any service started with a private namespace while it was mounted)
 * keep the kernel's connection, and with it the daemon, alive for as long as they exist — a daemon was
 * found serving 30 minutes after its mount was gone. So once the mount has left this process's namespace
 * the watch looks for processes still using it (docs/architecture.md, "Unmounting"): while there are some
 * (a lazy unmount), it serves them; once there are none, it aborts the connection, which ends the session.
 * It also ends the session when {@code fatal} names a reason (the state directory deleted, say), passing the
 * reason on to {@code end}.
 */
final class MountWatch {
    private static final Logger LOG = LoggerFactory.getLogger(MountWatch.class);
    static final long PERIOD_MS = 1_000;

    private final Path mountpoint;
    private final long minor;
    private final FuseSession session;
    private final Consumer<Optional<String>> end;
    private final Supplier<Optional<String>> fatal;
    private String lastUsers = "";

    MountWatch(
            Path mountpoint,
            long minor,
            FuseSession session,
            Consumer<Optional<String>> end,
            Supplier<Optional<String>> fatal) {
        this.mountpoint = mountpoint;
        this.minor = minor;
        this.session = session;
        this.end = end;
        this.fatal = fatal;
    }

    void start() {
        Thread t = new Thread(this::run, "txfs-mount-watch");
        t.setDaemon(true);
        t.start();
    }

    private void run() {
        try {
            // polling: the kernel tells a process of mount changes in its own namespace only, and not of a
            // connection whose last user went away
            while (!session.awaitEnd(PERIOD_MS, TimeUnit.MILLISECONDS)) {
                if (check()) return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.error("the mount watch of {} stopped", mountpoint, e);
        }
    }

    /** True once it ended the connection. */
    private boolean check() {
        Optional<String> reason = fatal.get();
        if (reason.isPresent()) {
            LOG.error("{}; ending the mount at {} (processes still in it get ENOTCONN)", reason.get(), mountpoint);
            end.accept(reason);
            return true;
        }
        if (mountedHere()) return false;
        List<MountUsers.User> users = MountUsers.of(0, (int) minor, -1).users();
        if (users.isEmpty()) {
            LOG.info("{} was unmounted and no process uses it any more; ending its connection", mountpoint);
            end.accept(Optional.empty());
            return true;
        }
        String now = users.stream().map(MountUsers.User::describe).collect(Collectors.joining("; "));
        if (!now.equals(lastUsers)) {
            LOG.info(
                    "{} was unmounted (lazily); serving the processes still using it until they let go: {}",
                    mountpoint,
                    now);
            lastUsers = now;
        }
        return false;
    }

    /** Whether the connection is still mounted anywhere in this process's namespace (a bind mount counts). */
    private boolean mountedHere() {
        try {
            for (MountInfo.Mount m : MountInfo.self()) {
                if (m.major() == 0 && m.minor() == minor && m.isFuse()) return true;
            }
            return false;
        } catch (IOException e) {
            return true; // unknown: keep serving
        }
    }
}
