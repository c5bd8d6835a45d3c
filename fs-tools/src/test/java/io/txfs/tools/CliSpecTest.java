package io.txfs.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/** The command tree as help, man pages and completion show it: every command, option and parameter says what it is. */
class CliSpecTest {
    @Test
    void everyCommandOptionAndParameterHasADescription() {
        List<String> missing = new ArrayList<>();
        walk(Txfs.commandLine(), missing);
        assertEquals(List.of(), missing, "add a description to each of these");
    }

    private static void walk(CommandLine cli, List<String> missing) {
        CommandSpec spec = cli.getCommandSpec();
        String name = spec.qualifiedName();
        if (blank(spec.usageMessage().description())) {
            missing.add(name);
        }
        for (OptionSpec o : spec.options()) {
            if (!o.hidden() && blank(o.description())) {
                missing.add(name + " " + o.longestName());
            }
        }
        for (PositionalParamSpec p : spec.positionalParameters()) {
            if (blank(p.description())) {
                missing.add(name + " " + p.paramLabel());
            }
        }
        for (CommandLine sub : cli.getSubcommands().values()) {
            walk(sub, missing);
        }
    }

    private static boolean blank(String[] lines) {
        return lines == null || String.join("", lines).isBlank();
    }

    @Test
    void helpNamesEveryCommandAndTheExitStatuses() {
        StringWriter out = new StringWriter();
        CommandLine cli = Txfs.commandLine();
        cli.setOut(new PrintWriter(out));
        assertEquals(0, cli.execute("help"));
        String help = out.toString();
        for (CommandLine sub : cli.getSubcommands().values()) {
            String command = sub.getCommandName();
            assertTrue(
                    help.contains("\n  " + command + " ") || help.contains("\n  " + command + ","),
                    command + " missing from\n" + help);
        }
        assertTrue(help.contains("3   conflict"), help);
        assertTrue(help.contains("2   usage error"), help);
    }

    @Test
    void helpOfACommandIsItsUsage() {
        StringWriter out = new StringWriter();
        CommandLine cli = Txfs.commandLine();
        cli.setOut(new PrintWriter(out));
        assertEquals(0, cli.execute("help", "status"));
        assertTrue(out.toString().startsWith("Usage: txfs status"), out.toString());
        assertTrue(out.toString().contains("--porcelain"), out.toString());
        assertEquals(2, Txfs.commandLine().execute("help", "no-such-command"));
    }
}
