package io.txfs.tools;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** The commands that read or move a view through the control file. Data to stdout, messages to stderr. */
final class ViewCommands {
    private ViewCommands() {
    }

    /** Shared by every command here: the mount, the view, JSON output, and error reporting. */
    abstract static class Base implements Callable<Integer> {
        @Mixin
        MountOption mount;

        @Spec
        CommandSpec spec;

        PrintWriter out() {
            return spec.commandLine().getOut();
        }

        PrintWriter err() {
            return spec.commandLine().getErr();
        }

        static String viewArg(String view) {
            return view == null ? "" : " view=" + view;
        }

        @Override
        public final Integer call() {
            try {
                return run();
            } catch (ControlCall.RefusedException e) {
                return e.report(err());
            } finally {
                out().flush();
                err().flush();
            }
        }

        abstract int run();
    }

    @Command(name = "views", mixinStandardHelpOptions = true, description = "List the views: name, owner, pending changes.")
    static final class Views extends Base {
        @Option(names = "--json", description = "Print the daemon's JSON reply.")
        boolean json;

        @Override
        int run() {
            JsonNode r = ControlCall.send(mount.controlFile(), "views");
            if (json) {
                out().println(r.toString());
            } else {
                out().print(StatusFormat.views(r));
            }
            return Txfs.EXIT_OK;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "Changed paths of a view (A added, M modified, D deleted, T type changed).")
    static final class Status extends Base {
        @Parameters(index = "0", arity = "0..1", paramLabel = "VIEW", description = "Default: the caller's own view.")
        String view;

        @Option(names = "--json")
        boolean json;

        @Override
        int run() {
            JsonNode r = ControlCall.send(mount.controlFile(), "status" + viewArg(view));
            if (json) {
                out().println(r.toString());
            } else {
                out().print(StatusFormat.status(r));
            }
            return Txfs.EXIT_OK;
        }
    }

    @Command(name = "diff", mixinStandardHelpOptions = true, description = "Unified diff of a view's pending changes; binary files summarised.")
    static final class Diff extends Base {
        @Parameters(index = "0", arity = "0..1", paramLabel = "VIEW")
        String view;

        @Option(names = "--json")
        boolean json;

        @Override
        int run() {
            JsonNode r = ControlCall.send(mount.controlFile(), "diff" + viewArg(view));
            if (json) {
                out().println(r.toString());
            } else {
                out().print(r.path("diff").asText(""));
            }
            return Txfs.EXIT_OK;
        }
    }

    @Command(name = "publish", mixinStandardHelpOptions = true, description = "Make a view's changes visible to all (exit 3 on conflict).")
    static final class Publish extends Base {
        @Parameters(index = "0", arity = "0..1", paramLabel = "VIEW")
        String view;

        @Option(names = "--force", description = "Last writer wins: publish over conflicting changes.")
        boolean force;

        @Option(names = "--json")
        boolean json;

        @Override
        int run() {
            JsonNode r = ControlCall.send(mount.controlFile(), "publish" + viewArg(view) + (force ? " force" : ""));
            report(this, r, json);
            return Txfs.EXIT_OK;
        }
    }

    @Command(name = "commit", mixinStandardHelpOptions = true, description = "Publish a view, then flush (exit 3 on conflict).")
    static final class Commit extends Base {
        @Parameters(index = "0", arity = "0..1", paramLabel = "VIEW")
        String view;

        @Option(names = "--force")
        boolean force;

        @Option(names = "--json")
        boolean json;

        @Override
        int run() {
            JsonNode r = ControlCall.send(mount.controlFile(), "commit" + viewArg(view) + (force ? " force" : ""));
            report(this, r, json);
            return Txfs.EXIT_OK;
        }
    }

    @Command(name = "flush", mixinStandardHelpOptions = true, description = "Make the published state durable in the backing directory.")
    static final class Flush extends Base {
        @Option(names = "--json")
        boolean json;

        @Override
        int run() {
            report(this, ControlCall.send(mount.controlFile(), "flush"), json);
            return Txfs.EXIT_OK;
        }
    }

    @Command(name = "abort", mixinStandardHelpOptions = true, description = "Discard a view's pending changes and the view.")
    static final class Abort extends Base {
        @Parameters(index = "0", paramLabel = "VIEW")
        String view;

        @Option(names = "--json")
        boolean json;

        @Override
        int run() {
            report(this, ControlCall.send(mount.controlFile(), "abort" + viewArg(view)), json);
            return Txfs.EXIT_OK;
        }
    }

    private static void report(Base cmd, JsonNode r, boolean json) {
        if (json) {
            cmd.out().println(r.toString());
        } else {
            cmd.err().println("txfs: " + StatusFormat.summary(r));
        }
    }
}
