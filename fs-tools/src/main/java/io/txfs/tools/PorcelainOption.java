package io.txfs.tools;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** {@code --porcelain} and {@code -z}: the stable text formats of docs/cli.md, for scripts. */
final class PorcelainOption {
    @Option(
            names = "--porcelain",
            description = "Stable lines for scripts, one record each, paths quoted as git's core.quotePath"
                    + " (docs/cli.md: the format never changes).")
    boolean porcelain;

    @Option(
            names = "-z",
            description = "As --porcelain, but each record ends in NUL and paths are their exact bytes, unquoted.")
    boolean nul;

    boolean any() {
        return porcelain || nul;
    }

    /** {@code --json}, {@code --porcelain} and {@code -z} are three output formats: one at a time. */
    void checkAlone(CommandSpec spec, boolean json) {
        if ((json ? 1 : 0) + (porcelain ? 1 : 0) + (nul ? 1 : 0) > 1) {
            throw new ParameterException(
                    spec.commandLine(), "--json, --porcelain and -z are output formats: choose one");
        }
    }
}
