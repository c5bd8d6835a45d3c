package io.txfs.tools;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** {@code --merge bytes} of publish and commit: files changed in different chunks on both sides merge. */
final class MergeOption {
    @Option(
            names = "--merge",
            paramLabel = "bytes",
            description = "bytes: a file this view and a publish since both changed, in different 64 KiB chunks"
                    + " and nothing else (same size, one side's mode), is merged instead of conflicting"
                    + " (docs/publish-force.md).")
    String merge;

    /** The control argument, or "" without the option. */
    String argument(CommandSpec spec) {
        if (merge == null) return "";
        if (!merge.equals("bytes")) throw new ParameterException(spec.commandLine(), "--merge takes bytes");
        return " merge=bytes";
    }
}
