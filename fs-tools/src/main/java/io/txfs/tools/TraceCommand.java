package io.txfs.tools;

import com.fasterxml.jackson.databind.JsonNode;
import io.txfs.control.ControlReply;
import io.txfs.core.inspect.Glob;
import io.txfs.core.inspect.TreePath;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code txfs trace [VIEW] [--json] [--reads-outside GLOB...]}: what a traced view's processes read and
 * wrote (docs/reproducibility.md, "Access traces"), and a hermeticity check against declared inputs.
 */
@Command(
        name = "trace",
        mixinStandardHelpOptions = true,
        description =
                "The access trace of a view begun with txfs run --trace: each path with what was first done to it.")
final class TraceCommand extends ViewCommands.Base {
    private static final Set<String> MADE = Set.of("create", "mkdir", "mknod", "symlink", "link", "rename-to");

    @Parameters(index = "0", arity = "0..1", paramLabel = "VIEW", description = "Default: the caller's own view.")
    String view;

    @Option(names = "--json", description = Output.JSON_HELP)
    boolean json;

    @Option(
            names = "--reads-outside",
            arity = "1..*",
            paramLabel = "GLOB",
            description = "The declared inputs: list every read outside them (exit 1 if any). A read of what the"
                    + " command wrote first, of a directory on the way to an input, and the lookup of a name it"
                    + " then created, is no read outside.")
    List<String> inputs;

    @Override
    int run() {
        JsonNode r = ControlCall.send(mount.controlFile(), "trace" + viewArg(view));
        if (!r.path("traced").asBoolean(false)) {
            err().println("txfs: view " + r.path("view").asText()
                    + " records no trace (begin it with txfs run --trace)");
        }
        if (inputs != null) return readsOutside(r);
        if (json) {
            out().println(Output.json(r));
        } else {
            for (JsonNode e : r.path("entries"))
                out().printf("%-11s %s%n", e.path("kind").asText(), Output.quotedPath(e));
        }
        return Txfs.EXIT_OK;
    }

    /** Reads of paths no glob names, that the command did not write first, nor walked through to an input. */
    private int readsOutside(JsonNode r) {
        List<Glob> globs = new ArrayList<>();
        for (String g : inputs) globs.add(new Glob(g));
        Set<String> written = new HashSet<>();
        Set<String> onTheWay = new HashSet<>();
        // a name that is missing and then made here was looked up to be created (O_CREAT, mkdir -p): no input
        Set<String> created = new HashSet<>();
        for (JsonNode e : r.path("entries")) {
            String p = e.path("path").asText();
            if (MADE.contains(e.path("kind").asText())) created.add(p);
            if (matches(globs, e)) {
                for (int i = p.lastIndexOf('/'); i > 0; i = p.lastIndexOf('/', i - 1)) onTheWay.add(p.substring(0, i));
                onTheWay.add("");
            }
        }
        List<String> outside = new ArrayList<>();
        for (JsonNode e : r.path("entries")) {
            String p = e.path("path").asText();
            if (!e.path("read").asBoolean()) {
                written.add(p);
                continue;
            }
            boolean made = e.path("kind").asText().equals("missing") && created.contains(p);
            if (made || written.contains(p) || onTheWay.contains(p) || matches(globs, e)) continue;
            outside.add(e.path("kind").asText() + " " + Output.quotedPath(e));
        }
        if (json) {
            out().println(ControlReply.json()
                    .createObjectNode()
                    .put("view", r.path("view").asText())
                    .set("reads_outside", ControlReply.json().valueToTree(outside)));
        } else {
            for (String o : outside) out().println(o);
        }
        if (outside.isEmpty()) {
            err().println("txfs: every read of view " + r.path("view").asText() + " is inside the declared inputs");
            return Txfs.EXIT_OK;
        }
        err().println("txfs: " + outside.size() + " reads outside the declared inputs");
        return Txfs.EXIT_FAILURE;
    }

    private static boolean matches(List<Glob> globs, JsonNode entry) {
        byte[] raw = Output.pathBytes(entry);
        if (raw.length == 0) return false;
        TreePath p = TreePath.ofBytes(raw);
        for (Glob g : globs) if (g.matches(p)) return true;
        return false;
    }
}
