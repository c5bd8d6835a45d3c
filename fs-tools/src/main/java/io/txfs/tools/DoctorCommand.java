package io.txfs.tools;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code txfs doctor}: what on this machine stops or limits txfs, each with its fix (docs/operations.md, "txfs doctor"). */
@Command(
        name = "doctor",
        mixinStandardHelpOptions = true,
        description = {
            "Check this machine for what stops or limits txfs: /dev/fuse, fusermount3, /etc/fuse.conf, fusectl,"
                    + " user namespaces, dead mounts, the state directories' owner and mode; each problem with its fix.",
            "Exit 0 when nothing fails (warnings allowed), 1 otherwise."
        })
final class DoctorCommand implements Callable<Integer> {
    @Option(
            names = "--json",
            description = "One JSON object: {\"ok\": BOOL, \"findings\": [{level, check, detail, fix}]}.")
    boolean json;

    @Option(
            names = "--state-base",
            paramLabel = "DIR",
            description = "Where to look for state directories (default: /var/lib/txfs for root, else"
                    + " $XDG_STATE_HOME/txfs or ~/.local/state/txfs).")
    Path stateBase;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        List<Doctor.Finding> findings = Doctor.examine(stateBase != null ? stateBase : StateDirectory.defaultBase());
        boolean ok = findings.stream().noneMatch(f -> f.level() == Doctor.Level.FAIL);
        if (json) {
            ObjectNode r = JsonNodeFactory.instance.objectNode().put("ok", ok);
            ArrayNode a = r.putArray("findings");
            for (Doctor.Finding f : findings) {
                a.addObject()
                        .put("level", f.level().name().toLowerCase(java.util.Locale.ROOT))
                        .put("check", f.check())
                        .put("detail", f.detail())
                        .put("fix", f.fix());
            }
            spec.commandLine().getOut().println(Output.json(r));
        } else {
            findings.forEach(f -> spec.commandLine().getOut().println(f.line()));
        }
        return ok ? Txfs.EXIT_OK : Txfs.EXIT_FAILURE;
    }
}
