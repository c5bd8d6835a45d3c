package io.txfs.tools;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code txfs checkpoint}, {@code rollback} and {@code checkpoints}: named states of a view's pending delta
 * (docs/reproducibility.md, "Checkpoints"), through the control file.
 */
final class CheckpointCommands {
    private CheckpointCommands() {}

    @Command(
            name = "checkpoint",
            mixinStandardHelpOptions = true,
            description = "Name the state of a view's pending changes now, to roll back to later. Costs what the"
                    + " changed paths do; no file data is copied.")
    static final class Take extends ViewCommands.Base {
        @Parameters(index = "0", paramLabel = "NAME", description = "1-64 of A-Z a-z 0-9 . _ -")
        String name;

        @Option(names = "--view", paramLabel = "VIEW", description = "Default: the caller's own view.")
        String view;

        @Option(names = "--json", description = Output.JSON_HELP)
        boolean json;

        @Override
        int run() {
            JsonNode r = ControlCall.send(mount.controlFile(), "checkpoint name=" + name + viewArg(view));
            if (json) {
                out().println(Output.json(r));
            } else {
                err().println("txfs: checkpoint " + r.path("checkpoint").asText() + " of view "
                        + r.path("view").asText() + ": "
                        + r.path("changed_paths").asLong() + " changed paths, "
                        + r.path("changed_bytes").asLong() + " bytes");
            }
            return Txfs.EXIT_OK;
        }
    }

    @Command(
            name = "rollback",
            mixinStandardHelpOptions = true,
            description = "Put a view's pending changes back as they were at a checkpoint; the checkpoints taken"
                    + " after it are dropped. Its processes see the rolled-back files at once.")
    static final class Rollback extends ViewCommands.Base {
        @Parameters(
                index = "0",
                paramLabel = "NAME",
                description = "The checkpoint to go back to (txfs checkpoints lists them).")
        String name;

        @Option(names = "--view", paramLabel = "VIEW", description = "Default: the caller's own view.")
        String view;

        @Option(names = "--json", description = Output.JSON_HELP)
        boolean json;

        @Override
        int run() {
            JsonNode r = ControlCall.send(mount.controlFile(), "rollback name=" + name + viewArg(view));
            if (json) {
                out().println(Output.json(r));
            } else {
                StringBuilder dropped = new StringBuilder();
                for (JsonNode d : r.path("dropped_checkpoints"))
                    dropped.append(' ').append(d.asText());
                err().println("txfs: view " + r.path("view").asText() + " rolled back to "
                        + r.path("checkpoint").asText() + ": "
                        + r.path("changed_paths").asLong()
                        + " changed paths" + (dropped.length() > 0 ? "; dropped checkpoints:" + dropped : ""));
            }
            return Txfs.EXIT_OK;
        }
    }

    @Command(
            name = "checkpoints",
            mixinStandardHelpOptions = true,
            description = "List a view's checkpoints, oldest first.")
    static final class Listing extends ViewCommands.Base {
        @Parameters(index = "0", arity = "0..1", paramLabel = "VIEW", description = "Default: the caller's own view.")
        String view;

        @Option(names = "--json", description = Output.JSON_HELP)
        boolean json;

        @Override
        int run() {
            JsonNode r = ControlCall.send(mount.controlFile(), "checkpoints" + viewArg(view));
            if (json) {
                out().println(Output.json(r));
                return Txfs.EXIT_OK;
            }
            for (JsonNode c : r.path("checkpoints")) {
                out().printf(
                                "%-24s %s %8d paths %12d bytes%n",
                                c.path("name").asText(),
                                c.path("created").asText(),
                                c.path("changed_paths").asLong(),
                                c.path("changed_bytes").asLong());
            }
            return Txfs.EXIT_OK;
        }
    }
}
