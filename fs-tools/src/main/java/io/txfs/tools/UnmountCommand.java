package io.txfs.tools;

import io.txfs.fuse.FuseMount;
import io.txfs.fuse.MountBusyException;
import io.txfs.sys.MountInfo;
import io.txfs.sys.MountUsers;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code txfs unmount}: unmount a live mount, or clear a dead one left by a killed daemon. Busy is refused
 * with the processes named; {@code --lazy} and {@code --force} are the two ways past it (docs/architecture.md,
 * "Unmounting"). Views and their pending changes live in the state directory and are never touched.
 */
@Command(
        name = "unmount",
        aliases = "umount",
        mixinStandardHelpOptions = true,
        description = {
            "Unmount MOUNTPOINT; the daemon finishes in-flight requests and exits. Views and their pending changes"
                    + " are kept in the state directory: txfs mount again to go on with them.",
            "Refused while a process uses the mount (its working or root directory, an open or mapped file there,"
                    + " also inside txfs run's namespaces); the processes are named. Also clears a dead mount."
        })
final class UnmountCommand implements Callable<Integer> {
    /** How long in-flight requests and other namespaces' holds may keep the connection after the unmount. */
    private static final long GRACE_MS = 5_000;

    static final String KEPT = "views and their pending changes are kept in the state directory";

    @Parameters(index = "0", paramLabel = "MOUNTPOINT", description = "Where the filesystem is mounted.")
    Path mountpoint;

    @ArgGroup(exclusive = true)
    Way way;

    static final class Way {
        @Option(
                names = "--lazy",
                description = "Detach the mount now; processes still using it keep working, served by the daemon"
                        + " until the last one lets go, then the daemon exits.")
        boolean lazy;

        @Option(
                names = "--force",
                description = "Detach the mount and end its connection now: processes still using it get ENOTCONN"
                        + " (every write that returned is kept), and the daemon exits.")
        boolean force;
    }

    @Override
    public Integer call() {
        Path mnt = mountpoint.toAbsolutePath().normalize();
        if (FuseMount.clearStaleMount(mnt)) {
            System.err.println("txfs: cleared a dead mount at " + mnt + " (its daemon had died); " + KEPT);
            return Txfs.EXIT_OK;
        }
        MountInfo.Mount m =
                MountTable.fuseMountAt(mnt).orElseThrow(() -> new UserFacingException("nothing is mounted at " + mnt));
        MountUsers.Report report = MountUsers.of(m.major(), m.minor(), -1);
        List<MountUsers.User> users = report.users();
        try {
            if (way != null && way.force) {
                boolean aborted = FuseMount.detachAndAbort(mnt);
                System.err.println("txfs: unmounted " + mnt
                        + (aborted ? " and ended its connection" : " (its connection could not be found to end)")
                        + (users.isEmpty() ? "" : "; these processes now get ENOTCONN there: " + describe(users))
                        + "; " + KEPT);
                return Txfs.EXIT_OK;
            }
            if (way != null && way.lazy) {
                FuseMount.detach(mnt);
                System.err.println("txfs: detached " + mnt
                        + (users.isEmpty()
                                ? ""
                                : "; the daemon serves the processes still using it until the last lets go, then"
                                        + " exits: " + describe(users))
                        + "; " + KEPT);
                return Txfs.EXIT_OK;
            }
            if (!users.isEmpty()) throw busy(mnt, users);
            FuseMount.Ending ending = FuseMount.unmountAndEnd(mnt, GRACE_MS);
            System.err.println("txfs: unmounted " + mnt + copies(report, ending) + "; " + KEPT);
        } catch (MountBusyException e) {
            throw busy(mnt, MountUsers.of(m.major(), m.minor(), -1).users());
        } catch (IOException e) {
            throw new UserFacingException("cannot unmount " + mnt + ": " + e.getMessage(), e);
        }
        return Txfs.EXIT_OK;
    }

    private static UserFacingException busy(Path mnt, List<MountUsers.User> users) {
        return new UserFacingException(mnt + " is busy, not unmounted: "
                + (users.isEmpty() ? "a process uses it" : describe(users))
                + ". End those processes (or leave the directory), or use --lazy (detach now, serve them until they"
                + " let go) or --force (end now: they get ENOTCONN); " + KEPT + " either way");
    }

    /** What became of copies of the mount in other namespaces, when there were any. */
    private static String copies(MountUsers.Report report, FuseMount.Ending ending) {
        List<Long> holders = report.namespaceHolders();
        return switch (ending) {
            case ENDED ->
                holders.isEmpty()
                        ? ""
                        : "; its copies in " + holders.size() + " other mount namespace(s) (of pid "
                                + holders.stream().map(String::valueOf).collect(Collectors.joining(", "))
                                + "), used by no process, were ended with it: there they answer ENOTCONN";
            case ABORTED ->
                "; it was still alive in other mount namespaces " + GRACE_MS / 1000
                        + " s later, so its connection was aborted: processes there get ENOTCONN";
            case UNOBSERVED ->
                "; /sys/fs/fuse/connections is not available, so copies in other mount namespaces"
                        + " (txfs run) may keep the daemon serving";
        };
    }

    private static String describe(List<MountUsers.User> users) {
        long self = ProcessHandle.current().pid();
        return users.stream()
                .map(u -> u.describe() + (u.pid() == self ? " [this txfs command: run it from outside the mount]" : ""))
                .collect(Collectors.joining("; "));
    }
}
