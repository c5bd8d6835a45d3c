package io.txfs.tools;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code txfs views rm} and {@code txfs views prune}: views that end. Both are thin clients: rm sends
 * one {@code abort} per name, prune one {@code prune}, and the daemon checks ownership and liveness.
 */
final class ViewEndCommands {
    private ViewEndCommands() {}

    @Command(
            name = "rm",
            mixinStandardHelpOptions = true,
            description =
                    "Remove views with their pending changes, each like txfs abort (owner or root); exit 1 if any could not be.")
    static final class Rm extends ViewCommands.Base {
        @Parameters(arity = "1..*", paramLabel = "VIEW", description = "The views to remove.")
        List<String> names;

        @Option(names = "--json", description = "Print each of the daemon's JSON replies, one per line.")
        boolean json;

        @Override
        int run() {
            int exit = Txfs.EXIT_OK;
            for (String name : names) {
                try {
                    JsonNode r = ControlCall.send(mount.controlFile(), "abort view=" + name);
                    out().println(json ? Output.json(r) : StatusFormat.removed(r));
                } catch (ControlCall.RefusedException e) {
                    // one name failing leaves the others to be removed; the exit status tells
                    e.report(err());
                    exit = Txfs.EXIT_FAILURE;
                } catch (UserFacingException e) {
                    err().println("txfs: " + e.getMessage());
                    exit = Txfs.EXIT_FAILURE;
                }
            }
            return exit;
        }
    }

    @Command(
            name = "prune",
            mixinStandardHelpOptions = true,
            description = "Remove your orphaned views (no live process is in them; root: everyone's), like txfs abort."
                    + " Views with a live process are never removed.")
    static final class Prune extends ViewCommands.Base {
        @Option(
                names = "--older-than",
                paramLabel = "DUR",
                description = "Only views created more than DUR ago: 30s, 10m, 2h, 1d (a bare number is seconds).")
        String olderThan;

        @Option(names = "--json", description = Output.JSON_HELP)
        boolean json;

        @Override
        int run() {
            String line = "prune" + (olderThan == null ? "" : " older_than=" + AgeDuration.seconds(olderThan));
            JsonNode r = ControlCall.send(mount.controlFile(), line);
            if (json) {
                out().println(Output.json(r));
            } else {
                for (JsonNode p : r.path("pruned")) {
                    out().println(StatusFormat.removed(p));
                }
                err().println("txfs: " + StatusFormat.pruneSummary(r));
            }
            return Txfs.EXIT_OK;
        }
    }
}
