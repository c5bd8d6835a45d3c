package io.txfs.tools;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code txfs} command: exit 0 ok, 1 failure, 2 usage, 3 conflict. */
@Command(
        name = "txfs",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        description = "A transactional userspace filesystem: per-process views, atomic publish and flush.",
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
            "0:ok",
            "1:failure (the daemon refused, or something failed; one line on stderr)",
            "2:usage error (a bad option or argument)",
            "3:conflict (publish, commit, refresh: others published a path this view changed)"
        },
        footerHeading = "%n",
        footer = {
            "txfs help COMMAND shows a command's options. Output: data on stdout, messages on stderr; --json for"
                    + " one JSON object, --porcelain and -z (status, diff --name-only, log) for scripts; paths in"
                    + " text are quoted as git's core.quotePath (docs/cli.md)."
        },
        subcommands = {
            CommandLine.HelpCommand.class,
            MountCommand.class,
            UnmountCommand.class,
            RunCommand.class,
            ViewCommands.Views.class,
            ViewCommands.Status.class,
            ViewCommands.Diff.class,
            ViewCommands.Publish.class,
            ViewCommands.Commit.class,
            ViewCommands.Flush.class,
            ViewCommands.Rescan.class,
            ViewCommands.Gc.class,
            ViewCommands.Refresh.class,
            ViewCommands.Abort.class,
            CheckpointCommands.Take.class,
            CheckpointCommands.Rollback.class,
            CheckpointCommands.Listing.class,
            InspectCommands.Hash.class,
            InspectCommands.Log.class,
            InspectCommands.Export.class,
            InspectCommands.Import.class,
            TraceCommand.class,
            ReproCommand.class,
            StatsCommand.class,
            DoctorCommand.class
        })
public final class Txfs implements Runnable {
    static final int EXIT_OK = 0;
    static final int EXIT_FAILURE = 1;
    static final int EXIT_USAGE = 2;
    static final int EXIT_CONFLICT = 3;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    static int execute(String... args) {
        CommandLine cli = commandLine();
        // mount(8) through mount.fuse3 runs `txfs BACKING MOUNTPOINT -o OPTIONS` for type fuse.txfs
        try {
            var helper = MountHelperForm.translate(args, cli.getSubcommands().keySet());
            if (helper.isPresent()) return cli.execute(helper.get().toArray(String[]::new));
        } catch (UserFacingException e) {
            cli.getErr().println("txfs: " + e.getMessage());
            return EXIT_USAGE;
        }
        return cli.execute(args);
    }

    /** The whole command tree, set up as {@link #main} runs it (also for the man pages and completion). */
    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Txfs());
        cli.setExecutionExceptionHandler(new FailureHandler());
        // everything after the command's first word belongs to the command: `txfs run make -j2`
        cli.getSubcommands().get("run").setStopAtPositional(true);
        return cli;
    }

    /** Turns a command's failure into one line on stderr and exit 1, without a stack trace for expected ones. */
    private static final class FailureHandler implements CommandLine.IExecutionExceptionHandler {
        @Override
        public int handleExecutionException(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
            if (e instanceof UserFacingException) {
                cmd.getErr().println("txfs: " + e.getMessage());
            } else {
                cmd.getErr().println("txfs: unexpected error: " + e);
                e.printStackTrace(cmd.getErr());
            }
            return EXIT_FAILURE;
        }
    }
}
