package io.txfs.tools;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

/** {@code txfs repro [--runs N] [--vary LIST] [--normalize RULES] [--keep] -- CMD}: see {@link Repro}. */
@Command(
        name = "repro",
        mixinStandardHelpOptions = true,
        description =
                "Run CMD several times in fresh views on the same published state, varying what is asked;"
                        + " exit 0 and print the delta id when every run made the same change, else exit 1 and say how they differ.")
final class ReproCommand extends ViewCommands.Base {
    @Option(names = "--runs", paramLabel = "N", defaultValue = "2", description = "How many runs (default 2).")
    int runs;

    @Option(
            names = "--vary",
            paramLabel = "LIST",
            split = ",",
            description = "What the runs after the first vary: readdir (reversed, shuffled), umask, tz, locale,"
                    + " hostname (a UTS namespace; root), env:NAME (the variable set to a value per run).")
    List<String> vary = new ArrayList<>();

    @Mixin
    NormalizeOption normalize;

    @Option(names = "--keep", description = "Keep the runs' views (for txfs diff, txfs status).")
    boolean keep;

    @Option(names = "--sha256", description = "Content and delta ids in SHA-256 (default SHA-1, as git).")
    boolean sha256;

    @Parameters(arity = "1..*", paramLabel = "CMD", description = "The command and its arguments (after --).")
    List<String> command;

    @Override
    int run() {
        List<Repro.Variation> kinds = new ArrayList<>();
        List<String> envNames = new ArrayList<>();
        for (String v : vary) {
            if (v.startsWith("env:") && v.length() > 4) {
                envNames.add(v.substring(4));
                continue;
            }
            try {
                kinds.add(Repro.Variation.valueOf(v.toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new ParameterException(
                        spec.commandLine(), "--vary takes readdir, umask, tz, locale, hostname, env:NAME; not " + v);
            }
            if (kinds.contains(Repro.Variation.ENV)) {
                throw new ParameterException(spec.commandLine(), "--vary env needs a name: env:NAME");
            }
        }
        Repro.Report r = Repro.run(
                MountLocator.mountOf(mount.controlFile()),
                new Repro.Options(runs, kinds, envNames, normalize.rules, keep, sha256),
                command,
                err());
        String id = r.deltaIds().get(0) + (r.normalizedBy() == null ? "" : " normalized:" + r.normalizedBy());
        for (int i = 0; i < r.exitCodes().size(); i++) {
            if (r.exitCodes().get(i) != 0)
                out().println("run " + (i + 1) + ": the command exited with status "
                        + r.exitCodes().get(i));
        }
        if (r.reproducible()) {
            out().println(id);
            err().println("txfs: reproducible: " + runs + " runs made one change (delta id " + id + ")"
                    + (keep ? "; views " + String.join(" ", r.views()) : ""));
            return Txfs.EXIT_OK;
        }
        for (Repro.Difference d : r.differences()) {
            out().println("run " + (d.run() + 1) + " differs at " + d.path() + ": " + d.detail());
        }
        err().println("txfs: not reproducible: delta ids " + String.join(", ", r.deltaIds())
                + (keep ? "; views " + String.join(" ", r.views()) : " (--keep keeps the views for txfs diff)"));
        return Txfs.EXIT_FAILURE;
    }
}
