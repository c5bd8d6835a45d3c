package io.txfs.tools;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The man pages and the completion script the build writes name every command and option. */
class CliDocsTest {
    @TempDir
    Path tmp;

    @Test
    void everyCommandHasAManPageAndCompletes() throws Exception {
        CommandLine cli = Txfs.commandLine();
        CliDocs.write(cli, tmp.resolve("man"), tmp.resolve("completion"));
        String top = Files.readString(tmp.resolve("man/txfs.1"));
        String bash = Files.readString(tmp.resolve("completion/txfs.bash"));
        assertTrue(top.contains("conflict"), "exit statuses in txfs.1");
        for (CommandLine sub : cli.getSubcommands().values()) {
            String name = sub.getCommandName();
            Path page = tmp.resolve("man/txfs-" + name + ".1");
            assertTrue(Files.exists(page), page + " was not written");
            assertTrue(top.contains(name), name + " missing from txfs.1");
            assertTrue(bash.contains(name), name + " missing from the completion script");
            for (CommandLine.Model.OptionSpec o : sub.getCommandSpec().options()) {
                if (!o.hidden()) {
                    String option = o.longestName().replace("-", "\\-");
                    assertTrue(Files.readString(page).contains(option), o.longestName() + " missing from " + page);
                }
            }
        }
        assertTrue(bash.contains("--porcelain") && bash.contains("--name-only"), "options complete");
        assertTrue(bash.contains("complete -F"), "a bash completion function");
    }
}
