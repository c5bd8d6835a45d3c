package io.txfs.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.txfs.control.ControlReply;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** The commands that read or move a view through the control file. Data to stdout, messages to stderr. */
final class ViewCommands {
    private ViewCommands() {}

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

    @Command(
            name = "views",
            mixinStandardHelpOptions = true,
            description =
                    "List the views: owner, state (live or orphaned), isolation, pending changes, the version read, age.",
            subcommands = {ViewEndCommands.Rm.class, ViewEndCommands.Prune.class})
    static final class Views extends Base {
        @Option(names = "--json", description = Output.JSON_HELP)
        boolean json;

        @Override
        int run() {
            JsonNode r = ControlCall.send(mount.controlFile(), "views");
            if (json) {
                out().println(Output.json(r));
            } else {
                out().print(StatusFormat.views(r));
            }
            return Txfs.EXIT_OK;
        }
    }

    @Command(
            name = "status",
            mixinStandardHelpOptions = true,
            description = "Changed paths of a view (A added, M modified, D deleted, T type changed).")
    static final class Status extends Base {
        @Parameters(index = "0", arity = "0..1", paramLabel = "VIEW", description = "Default: the caller's own view.")
        String view;

        @Option(
                names = "--json",
                description =
                        "Print the daemon's JSON reply (a path that is not UTF-8: percent-encoded, \"encoded\":true).")
        boolean json;

        @Mixin
        PorcelainOption records;

        @Option(names = "--canonical", description = "Also the canonical delta entries and its delta id (with --json).")
        boolean canonical;

        @Option(names = "--sha256", description = "Content and delta ids in SHA-256 (default SHA-1, as git).")
        boolean sha256;

        @picocli.CommandLine.Mixin
        NormalizeOption normalize;

        @Override
        int run() {
            records.checkAlone(spec, json);
            if (normalize.rules != null && !canonical) {
                throw new picocli.CommandLine.ParameterException(
                        spec.commandLine(), "--normalize changes the delta id: it needs --canonical");
            }
            JsonNode r = ControlCall.send(
                    mount.controlFile(),
                    "status" + viewArg(view) + (sha256 ? " objects=sha256" : "") + (canonical ? " canonical" : "")
                            + normalize.argument());
            NormalizeOption.warnNotNormalized(r, err());
            if (json) {
                out().println(Output.json(r));
            } else if (records.nul) {
                Output.raw(out(), StatusFormat.statusZ(r));
            } else {
                out().print(records.porcelain ? StatusFormat.statusPorcelain(r) : StatusFormat.status(r));
            }
            return Txfs.EXIT_OK;
        }
    }

    @Command(
            name = "diff",
            mixinStandardHelpOptions = true,
            description =
                    "Unified diff of a view's pending changes (binary files summarised), or its canonical delta as JSON lines;"
                            + " with --from/--to between two versions of the log or two checkpoints of a view (cp:NAME, current),"
                            + " with --published --backing what the next flush writes.")
    static final class Diff extends Base {
        @Parameters(index = "0", arity = "0..1", paramLabel = "VIEW", description = "Default: the caller's own view.")
        String view;

        @Option(
                names = "--from",
                paramLabel = "STATE",
                description = "A version of txfs log (or flushed, published), or of the view: cp:NAME (a checkpoint),"
                        + " current.")
        String from;

        @Option(
                names = "--to",
                paramLabel = "STATE",
                description = "As --from: a version, flushed, published, cp:NAME or current.")
        String to;

        @Option(names = "--published", description = "With --backing: from the flushed state to the published one.")
        boolean published;

        @Option(
                names = "--backing",
                description = "With --published: the backing directory's state as txfs flushed it.")
        boolean backing;

        @Option(
                names = "--json",
                description = "Print the daemon's JSON reply (with --format=jsonl: includes delta_id).")
        boolean json;

        @Option(
                names = "--format",
                paramLabel = "text|jsonl",
                defaultValue = "text",
                description = "text (unified diff) or jsonl (the canonical delta, one JSON object per line).")
        String format;

        @Option(names = "--stat", description = "Per-file counts of changed lines, like git diff --stat.")
        boolean stat;

        @Option(
                names = "--name-only",
                description = "Only the changed paths, one per line, quoted as git's core.quotePath"
                        + " (with --json: \"entries\":[{\"path\"}]).")
        boolean nameOnly;

        /** With --name-only only. */
        @Mixin
        PorcelainOption records;

        @Option(names = "--sha256", description = "Content and delta ids in SHA-256 (default SHA-1, as git).")
        boolean sha256;

        @picocli.CommandLine.Mixin
        NormalizeOption normalize;

        @Override
        int run() {
            if (!format.equals("text") && !format.equals("jsonl")) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--format must be text or jsonl");
            }
            if ((stat || nameOnly) && format.equals("jsonl")) {
                throw new picocli.CommandLine.ParameterException(
                        spec.commandLine(), "--stat and --name-only are for the text format");
            }
            if (records.any() && !nameOnly) {
                throw new picocli.CommandLine.ParameterException(
                        spec.commandLine(), "--porcelain and -z go with --name-only");
            }
            if (stat && nameOnly) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--stat or --name-only, not both");
            }
            records.checkAlone(spec, json);
            JsonNode r = ControlCall.send(
                    mount.controlFile(),
                    "diff" + states() + (format.equals("jsonl") ? " format=jsonl" : "")
                            + (sha256 ? " objects=sha256" : "")
                            + normalize.argument());
            NormalizeOption.warnNotNormalized(r, err());
            if (nameOnly) {
                names(r);
            } else if (json) {
                out().println(Output.json(r));
            } else if (format.equals("jsonl")) {
                out().print(r.path("jsonl").asText(""));
                err().println(StatusFormat.deltaIdLine(r));
            } else if (stat) {
                out().print(StatusFormat.diffStat(r.path("diff").asText("")));
            } else {
                out().print(r.path("diff").asText(""));
            }
            return Txfs.EXIT_OK;
        }

        /** {@code --name-only}: the paths of the diff's headers, quoted, NUL-ended or as JSON entries. */
        private void names(JsonNode r) {
            List<byte[]> paths = StatusFormat.diffPaths(r.path("diff").asText(""));
            if (json) {
                ObjectNode n = ((ObjectNode) r).deepCopy();
                n.remove("diff");
                ArrayNode entries = n.putArray("entries");
                paths.forEach(p -> ControlReply.putPath(entries.addObject(), p));
                out().println(Output.json(n));
            } else {
                Output.raw(out(), StatusFormat.pathList(paths, records.nul));
            }
        }

        /** The control arguments naming what to compare: a view, two versions, or flushed to published. */
        private String states() {
            if (published != backing) {
                throw new picocli.CommandLine.ParameterException(
                        spec.commandLine(), "--published and --backing go together");
            }
            if (published && (from != null || to != null)) {
                throw new picocli.CommandLine.ParameterException(
                        spec.commandLine(), "--published --backing is --from flushed --to published");
            }
            String f = published ? "flushed" : from;
            String t = published ? "published" : to;
            if ((f == null) != (t == null)) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--from and --to go together");
            }
            if (f == null) {
                return viewArg(view);
            }
            boolean ofView = isViewState(f) || isViewState(t);
            if (view != null && !ofView) {
                throw new picocli.CommandLine.ParameterException(
                        spec.commandLine(),
                        "compare a VIEW or two versions, not both (a VIEW goes with cp:NAME, current)");
            }
            for (String word : new String[] {f, t}) {
                if (!word.matches("[0-9]{1,18}|flushed|published|current|cp:[A-Za-z0-9_][A-Za-z0-9._-]{0,63}")) {
                    throw new picocli.CommandLine.ParameterException(
                            spec.commandLine(),
                            "a state is a version number, flushed, published, cp:NAME or current: " + word);
                }
            }
            return (ofView ? viewArg(view) : "") + " from=" + f + " to=" + t;
        }
    }

    @Command(
            name = "publish",
            mixinStandardHelpOptions = true,
            description = "Make a view's changes visible to all (exit 3 on conflict).")
    static final class Publish extends Base {
        @Parameters(index = "0", arity = "0..1", paramLabel = "VIEW", description = "Default: the caller's own view.")
        String view;

        @Option(
                names = "--force",
                description =
                        "Publish over conflicting changes: this view's version wins for every path it"
                                + " changed, the rest of others' changes stay; each overridden path is printed on stderr (docs/publish-force.md).")
        boolean force;

        @Mixin
        MergeOption merge;

        @Option(names = "--json", description = Output.JSON_HELP)
        boolean json;

        @Override
        int run() {
            JsonNode r = ControlCall.send(
                    mount.controlFile(), "publish" + viewArg(view) + (force ? " force" : "") + merge.argument(spec));
            report(this, r, json);
            return Txfs.EXIT_OK;
        }
    }

    @Command(
            name = "commit",
            mixinStandardHelpOptions = true,
            description = "Publish a view, then flush (exit 3 on conflict).")
    static final class Commit extends Base {
        @Parameters(index = "0", arity = "0..1", paramLabel = "VIEW", description = "Default: the caller's own view.")
        String view;

        @Option(
                names = "--force",
                description = "As publish --force: this view's version wins for every path it changed; each"
                        + " overridden path is printed on stderr.")
        boolean force;

        @Mixin
        MergeOption merge;

        @Option(names = "--json", description = Output.JSON_HELP)
        boolean json;

        @Mixin
        ProgressOption progress;

        @Override
        int run() {
            // the publish is short; what a commit may spend long in is its flush
            JsonNode r = progress.around(
                    mount.controlFile(),
                    "flush",
                    () -> ControlCall.send(
                            mount.controlFile(),
                            "commit" + viewArg(view) + (force ? " force" : "") + merge.argument(spec)));
            report(this, r, json);
            return Txfs.EXIT_OK;
        }
    }

    @Command(
            name = "flush",
            mixinStandardHelpOptions = true,
            description = "Make the published state durable in the backing directory.")
    static final class Flush extends Base {
        @Option(names = "--json", description = Output.JSON_HELP)
        boolean json;

        @Mixin
        ProgressOption progress;

        @Override
        int run() {
            report(
                    this,
                    progress.around(mount.controlFile(), "flush", () -> ControlCall.send(mount.controlFile(), "flush")),
                    json);
            return Txfs.EXIT_OK;
        }
    }

    @Command(
            name = "rescan",
            mixinStandardHelpOptions = true,
            description =
                    "Check the whole backing directory for changes made outside txfs and take them in as a published version"
                            + " (root, the mount's owner and --flush-group).")
    static final class Rescan extends Base {
        @Option(names = "--json", description = Output.JSON_HELP)
        boolean json;

        @Override
        int run() {
            JsonNode r = ControlCall.send(mount.controlFile(), "rescan");
            if (json) {
                out().println(Output.json(r));
            } else {
                out().print(StatusFormat.rescan(r));
            }
            return Txfs.EXIT_OK;
        }
    }

    @Command(
            name = "gc",
            mixinStandardHelpOptions = true,
            description =
                    "Collect garbage now and compact the store; print the state directory's bytes before and after"
                            + " (root, the mount's owner and --flush-group).")
    static final class Gc extends Base {
        @Option(names = "--json", description = Output.JSON_HELP)
        boolean json;

        @Mixin
        ProgressOption progress;

        @Override
        int run() {
            JsonNode r = progress.around(mount.controlFile(), "gc", () -> ControlCall.send(mount.controlFile(), "gc"));
            if (json) {
                out().println(Output.json(r));
            } else {
                out().print(StatusFormat.gc(r));
            }
            return Txfs.EXIT_OK;
        }
    }

    private static boolean isViewState(String word) {
        return word.equals("current") || word.startsWith("cp:");
    }

    @Command(
            name = "refresh",
            mixinStandardHelpOptions = true,
            description = "Move a view with pending changes onto the newest published state (a rebase; exit 3 and the"
                    + " conflicting paths, changing nothing, if others published a path it changed).")
    static final class Refresh extends Base {
        @Parameters(index = "0", arity = "0..1", paramLabel = "VIEW", description = "Default: the caller's own view.")
        String view;

        @Option(names = "--json", description = Output.JSON_HELP)
        boolean json;

        @Override
        int run() {
            JsonNode r = ControlCall.send(mount.controlFile(), "refresh" + viewArg(view));
            if (json) {
                out().println(Output.json(r));
            } else {
                err().println("txfs: " + StatusFormat.refreshed(r));
            }
            return Txfs.EXIT_OK;
        }
    }

    @Command(
            name = "abort",
            mixinStandardHelpOptions = true,
            description = "Discard a view's pending changes and the view.")
    static final class Abort extends Base {
        @Parameters(index = "0", paramLabel = "VIEW", description = "The view to discard.")
        String view;

        @Option(names = "--json", description = Output.JSON_HELP)
        boolean json;

        @Override
        int run() {
            report(this, ControlCall.send(mount.controlFile(), "abort" + viewArg(view)), json);
            return Txfs.EXIT_OK;
        }
    }

    private static void report(Base cmd, JsonNode r, boolean json) {
        if (json) {
            cmd.out().println(Output.json(r));
        } else {
            cmd.err().println("txfs: " + StatusFormat.summary(r));
        }
        StatusFormat.forceLines(r).forEach(cmd.err()::println); // also with --json: nothing overridden silently
    }
}
