package io.txfs.tools;

import com.fasterxml.jackson.databind.JsonNode;
import io.txfs.sys.LibC;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import sun.misc.Signal;

/**
 * {@code txfs run -- CMD}: the command and all its descendants work in one view. This process enters
 * the view first (so everything it forks afterwards belongs to it), then starts the command — in a
 * private mount namespace with the view's own root bound over the mountpoint where permitted.
 */
@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        description =
                "Run CMD in a view (created, or entered if --view names an existing one). Returns CMD's exit status.")
final class RunCommand extends ViewCommands.Base {
    /** CAP_SYS_ADMIN's bit in /proc/self/status CapEff. */
    private static final int CAP_SYS_ADMIN = 21;
    /** The status the namespace wrapper exits with when it could not bind the view root. */
    private static final int EXIT_WRAPPER_FAILED = 125;

    enum Namespace {
        auto,
        always,
        never
    }

    @Option(
            names = "--view",
            paramLabel = "NAME",
            description = "The view to run in: entered if it exists, created otherwise.")
    String view;

    @Option(
            names = "--isolation",
            paramLabel = "snapshot|read-committed",
            description = "For a new view (default snapshot).")
    String isolation;

    @Option(
            names = "--namespace",
            paramLabel = "auto|always|never",
            defaultValue = "auto",
            description =
                    "Run in a private mount namespace with the view root over the mountpoint: auto (when permitted), always, never.")
    Namespace namespace;

    @Option(
            names = "--mtime-clamp",
            paramLabel = "EPOCH",
            description = "For a new view: files written in it get modification times no later than EPOCH"
                    + " (seconds since the epoch, or env for $SOURCE_DATE_EPOCH), as tar --clamp-mtime does.")
    String mtimeClamp;

    @Option(
            names = "--readdir",
            paramLabel = "sorted|reverse|shuffle",
            description = "The order of the view's directory listings (default sorted): does the command depend on it?")
    String readdir;

    @Option(
            names = "--durability",
            paramLabel = "fsync|none",
            description = "For a new view: none makes its fsyncs return at once (a scratch build; a crash of the"
                    + " machine may lose what it wrote, a killed daemon does not). Shown by txfs views.")
    String durability;

    @Option(
            names = "--inodes",
            paramLabel = "node|path",
            description = "For a new view: path gives its processes inode numbers derived from paths (st_ino,"
                    + " d_ino), the same in every run, for tools that record them. Shown by txfs views.")
    String inodes;

    @Option(
            names = "--trace",
            description = "Record the view's access trace: every path read and written, in first-access order"
                    + " (txfs trace VIEW; a view made here is kept for it).")
    boolean trace;

    @ArgGroup(exclusive = true)
    After after;

    @Option(
            names = "--on-success",
            paramLabel = "publish|commit|keep|abort",
            description = "What becomes of the view's changes when CMD exits 0 (default keep): a build tool wraps"
                    + " each step in its own transaction and keeps or drops it as a whole.")
    String onSuccess;

    @Option(
            names = "--on-failure",
            paramLabel = "keep|abort",
            description = "What becomes of them when CMD fails (default keep, for inspection): abort drops them.")
    String onFailure;

    static final class After {
        @Option(names = "--publish", description = "Publish the view when CMD succeeds.")
        boolean publish;

        @Option(names = "--commit", description = "Publish and flush when CMD succeeds.")
        boolean commit;
    }

    @Parameters(arity = "1..*", paramLabel = "CMD", description = "The command and its arguments (after --).")
    List<String> command;

    @Override
    int run() {
        for (String[] o : new String[][] {
            {"--on-success", onSuccess, "publish|commit|keep|abort"}, {"--on-failure", onFailure, "keep|abort"}
        }) {
            if (o[1] != null && !o[1].matches(o[2])) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), o[0] + " takes " + o[2]);
            }
        }
        if (onSuccess != null && after != null) {
            throw new picocli.CommandLine.ParameterException(
                    spec.commandLine(), "--on-success replaces --publish and --commit: give one");
        }
        Path ctl = mount.controlFile();
        Path mnt = MountLocator.mountOf(ctl).toAbsolutePath();
        // inside a view, a new view is its child; toplevel: an existing view that is neither the caller's nor its
        // child is refused (the command would work beside the caller's view)
        String begin = "begin toplevel" + viewArg(view) + (isolation == null ? "" : " isolation=" + isolation)
                + (trace ? " trace" : "")
                + (mtimeClamp == null ? "" : " mtime_clamp=" + clampSeconds(mtimeClamp))
                + (readdir == null ? "" : " readdir=" + readdir)
                + (durability == null ? "" : " durability=" + durability)
                + (inodes == null ? "" : " inodes=" + inodes);
        JsonNode entered = ControlCall.send(ctl, begin);
        String name = entered.path("view").asText(view);
        // nobody named it: it ends with the command unless it holds changes, or a trace to read
        boolean made = view == null && !trace;
        try {
            requireWorkingDirectoryInView(mnt, name);
        } catch (UserFacingException e) {
            if (made) {
                ControlCall.send(ctl, "abort if_unchanged view=" + name);
            }
            throw e;
        }

        // already working in the view (txfs run --view X from inside X): the command inherits it, and a bind of
        // X's root over a mountpoint that already is X's root would make a directory its own ancestor (ELOOP)
        boolean inheritsView = entered.path("already_in").asBoolean(false);
        boolean useNamespace = !inheritsView
                && switch (namespace) {
                    case never -> false;
                    case always -> {
                        if (!hasSysAdmin() && !userNamespacesAllowed()) {
                            throw new UserFacingException("--namespace always needs CAP_SYS_ADMIN or user namespaces,"
                                    + " which this kernel does not allow unprivileged users (use --namespace never)");
                        }
                        yield true;
                    }
                    case auto ->
                        Files.isExecutable(Path.of("/usr/bin/unshare")) && (hasSysAdmin() || userNamespacesAllowed());
                };
        int status = useNamespace
                ? runChild(inNamespace(mnt, name), Path.of("/"))
                : runChild(command, Path.of("").toAbsolutePath());
        if (status == EXIT_WRAPPER_FAILED && useNamespace) {
            err().println("txfs: could not enter view " + name + "'s root in a mount namespace (status 125)");
        }
        String why = status == 0 ? "" : "command exited with status " + status + "; ";
        String action = status == 0 ? successAction() : onFailure == null ? "keep" : onFailure;
        if (action.equals("abort")) {
            drop(ctl, name, why + (status == 0 ? "--on-success" : "--on-failure") + " abort: ");
            return status;
        }
        if (action.equals("publish") || action.equals("commit")) {
            boolean commit = action.equals("commit");
            try {
                JsonNode r = ControlCall.send(ctl, (commit ? "commit" : "publish") + " view=" + name);
                err().println("txfs: " + StatusFormat.summary(r));
                StatusFormat.forceLines(r).forEach(err()::println);
            } catch (ControlCall.RefusedException refused) {
                int exit = refused.report(err());
                end(ctl, name, made, (commit ? "commit" : "publish") + " refused; ");
                return exit;
            }
        }
        end(ctl, name, made, why);
        if (trace) err().println("txfs:   trace:   txfs trace " + name);
        return status;
    }

    /** What --on-success (or --publish, --commit) asks for when the command exits 0. */
    private String successAction() {
        if (onSuccess != null) return onSuccess;
        if (after != null && after.commit) return "commit";
        return after != null && after.publish ? "publish" : "keep";
    }

    /** --on-success/--on-failure abort: the view and its changes are dropped (txfs abort). */
    private void drop(Path ctl, String name, String why) {
        try {
            ControlCall.send(ctl, "abort view=" + name);
            err().println("txfs: " + why + "dropped view " + name + " and its changes");
        } catch (ControlCall.RefusedException gone) {
            err().print("txfs: " + why);
            gone.report(err());
        }
    }

    /** EPOCH in seconds; "env" takes SOURCE_DATE_EPOCH from the environment, as reproducible builds set it. */
    private String clampSeconds(String value) {
        String v = value.equals("env") ? System.getenv("SOURCE_DATE_EPOCH") : value;
        if (v == null || !v.matches("[0-9]{1,12}")) {
            throw new picocli.CommandLine.ParameterException(
                    spec.commandLine(),
                    "--mtime-clamp takes seconds since the epoch, or env for $SOURCE_DATE_EPOCH (got "
                            + (v == null ? "no SOURCE_DATE_EPOCH" : v) + ")");
        }
        return v;
    }

    /**
     * What becomes of the view once the command ended: one made here is removed when nothing is pending
     * in it (the daemon checks and removes in one step), and kept otherwise; a view the user named is kept
     * either way. A kept view with changes is named with the commands that inspect, publish or drop it.
     */
    private void end(Path ctl, String name, boolean made, String why) {
        JsonNode r;
        try {
            r = ControlCall.send(ctl, made ? "abort if_unchanged view=" + name : "status view=" + name);
        } catch (ControlCall.RefusedException gone) {
            // e.g. the command aborted its own view: the command's exit status still stands
            err().print("txfs: " + why);
            gone.report(err());
            return;
        }
        if (r.path("removed").asBoolean(false)) {
            err().println("txfs: " + why + "nothing pending in view " + name + ": removed");
        } else if (r.path("changed_paths").asLong() == 0) {
            err().println("txfs: " + why + "nothing pending in view " + name
                    + (made ? "" : " (kept: it was named with --view)"));
        } else {
            err().println("txfs: " + why + "view " + name + " keeps the command's changes ("
                    + r.path("changed_paths").asLong() + " paths, "
                    + r.path("changed_bytes").asLong() + " bytes" + (made ? "; listed as orphaned in txfs views" : "")
                    + ")");
            err().println("txfs:   inspect: txfs status " + name + "    txfs diff " + name);
            err().println("txfs:   publish: txfs publish " + name);
            err().println("txfs:   drop:    txfs abort " + name);
        }
    }

    /**
     * The command starts at this process's working directory, looked up afresh in the view it just entered
     * (this process is in it now). A directory that exists only in another view's pending delta (say, made
     * in the session's default view and never published) is missing there: say so instead of letting the
     * start fail with a bare ENOENT, or a shell land somewhere else.
     *
     * <p>The check walks the view's own root ({@code .txfs/views/NAME}), never the shared root: the kernel
     * keeps one dentry per name in the shared root, and a lookup there by this view replaces the one the
     * caller's view holds — the invoking shell's working directory would turn "(deleted)" and its next
     * getcwd() fail with ENOENT (docs/kernel-caches.md, "The cost of the shared root").
     */
    private void requireWorkingDirectoryInView(Path mnt, String name) {
        Path cwd = Path.of("").toAbsolutePath();
        if (cwd.startsWith(mnt) && !Files.isDirectory(viewRoot(mnt, name).resolve(mnt.relativize(cwd)))) {
            throw new UserFacingException("the working directory " + cwd + " does not exist in view " + name
                    + " (changes pending in another view, e.g. this session's, are not visible in it: publish them"
                    + " or start from another directory); view " + name + " kept");
        }
    }

    private static Path viewRoot(Path mnt, String name) {
        return mnt.resolve(".txfs").resolve("views").resolve(name);
    }

    /**
     * The command wrapped so it runs with the view's root bound over the mountpoint, at the same working
     * directory. The wrapper starts outside the mount and enters the working directory only after the bind,
     * through the view's own root, so nothing of the new view walks the shared root (see above).
     */
    private List<String> inNamespace(Path mnt, String name) {
        String bind = "mount --bind \"$1/.txfs/views/$2\" \"$1\" || exit " + EXIT_WRAPPER_FAILED + "; ";
        String enter = "cd \"$3\" || exit " + EXIT_WRAPPER_FAILED + "; shift 3; exec \"$@\"";
        List<String> argv = new ArrayList<>(List.of("/usr/bin/unshare"));
        if (hasSysAdmin()) {
            argv.addAll(List.of("--mount", "--propagation", "private", "--", "/bin/sh", "-c", bind + enter));
        } else {
            // a user: mount(8) binds only as uid 0, so the bind runs as root of a user namespace, and the
            // command in a nested one that maps back to the caller's own ids (README, "As a normal user")
            long uid = LibC.INSTANCE.getuid();
            long gid = LibC.INSTANCE.getgid();
            argv.addAll(List.of(
                    "--user",
                    "--map-root-user",
                    "--mount",
                    "--propagation",
                    "private",
                    "--",
                    "/bin/sh",
                    "-c",
                    bind + "exec /usr/bin/unshare --user --map-user=" + uid + " --map-group=" + gid + " -- /bin/sh -c '"
                            + enter.replace("'", "'\\''") + "' \"$0\" \"$@\""));
        }
        argv.addAll(List.of(
                "txfs-run", mnt.toString(), name, Path.of("").toAbsolutePath().toString()));
        argv.addAll(command);
        return argv;
    }

    /** {@code dir} is set by path, so the child looks it up afresh inside its view. */
    private int runChild(List<String> argv, Path dir) {
        ProcessBuilder pb = new ProcessBuilder(argv).inheritIO().directory(dir.toFile());
        if (!dir.equals(Path.of("").toAbsolutePath())) {
            // a shell checks an inherited $PWD by stat()ing it: that would be the shared root walk avoided above
            pb.environment().remove("PWD");
        }
        Process child;
        try {
            child = pb.start();
        } catch (IOException e) {
            throw new UserFacingException("cannot start " + argv.get(0) + ": " + e.getMessage(), e);
        }
        // Ctrl-C reaches the child through the terminal; this process waits for the child's answer
        Signal.handle(new Signal("INT"), s -> {});
        Thread forwardTerm = new Thread(child::destroy, "txfs-run-forward-term");
        Runtime.getRuntime().addShutdownHook(forwardTerm);
        try {
            return child.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            child.destroy();
            return Txfs.EXIT_FAILURE;
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(forwardTerm);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running already
            }
        }
    }

    /**
     * Whether this kernel lets an unprivileged user create a user namespace (Debian's sysctl, Ubuntu's
     * AppArmor restriction, and a limit above zero).
     */
    static boolean userNamespacesAllowed() {
        return sysctl("user/max_user_namespaces", 1) > 0
                && sysctl("kernel/unprivileged_userns_clone", 1) == 1
                && sysctl("kernel/apparmor_restrict_unprivileged_userns", 0) == 0;
    }

    private static long sysctl(String name, long absent) {
        try {
            return Long.parseLong(Files.readString(Path.of("/proc/sys", name)).trim());
        } catch (IOException | NumberFormatException e) {
            return absent;
        }
    }

    static boolean hasSysAdmin() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (l.startsWith("CapEff:")) {
                    long caps = Long.parseUnsignedLong(l.substring(7).trim(), 16);
                    return (caps & (1L << CAP_SYS_ADMIN)) != 0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return false;
        }
        return false;
    }
}
