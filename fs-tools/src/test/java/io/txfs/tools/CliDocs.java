package io.txfs.tools;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Help.Ansi;
import picocli.codegen.docgen.manpage.ManPageGenerator;

/**
 * Writes, from the command tree, one man page per command ({@code txfs.1}, {@code txfs-status.1}, ...: its
 * usage help, every option described), their AsciiDoc sources (picocli's {@link ManPageGenerator}, under
 * {@code adoc/}, for {@code asciidoctor -b manpage}), and the bash completion script (also for zsh, through
 * bashcompinit). Run by Maven in the package phase: {@code CliDocs MAN_DIR COMPLETION_DIR}.
 */
public final class CliDocs {
    private CliDocs() {}

    public static void main(String[] args) throws IOException {
        write(Txfs.commandLine(), Path.of(args[0]), Path.of(args[1]));
    }

    static void write(CommandLine cli, Path man, Path completion) throws IOException {
        Files.createDirectories(completion);
        Files.createDirectories(man.resolve("adoc"));
        int status = ManPageGenerator.generateManPage(
                man.resolve("adoc").toFile(), (File) null, new boolean[0], true, cli.getCommandSpec());
        if (status != 0) {
            throw new IOException("the AsciiDoc man pages could not be generated (status " + status + ")");
        }
        troff(cli, man);
        Files.writeString(completion.resolve("txfs.bash"), AutoComplete.bash("txfs", cli), StandardCharsets.UTF_8);
    }

    /** One troff page per command, this one's and its subcommands'. */
    private static void troff(CommandLine cli, Path man) throws IOException {
        CommandLine.Model.CommandSpec spec = cli.getCommandSpec();
        String name = spec.qualifiedName("-");
        String[] description = spec.usageMessage().description();
        String summary = description.length == 0 ? "" : description[0];
        String version = String.join(" ", spec.root().version());
        StringBuilder b = new StringBuilder()
                .append(".TH ")
                .append(name.toUpperCase(java.util.Locale.ROOT))
                .append(" 1 \"\" \"")
                .append(escape(version))
                .append("\" \"txfs manual\"\n.SH NAME\n")
                .append(escape(name))
                .append(" \\- ")
                .append(escape(summary))
                .append("\n.SH SYNOPSIS\n.nf\n");
        String usage = cli.getUsageMessage(Ansi.OFF);
        for (String line : usage.split("\n", -1)) {
            b.append(line.startsWith(".") || line.startsWith("'") ? "\\&" : "")
                    .append(escape(line))
                    .append('\n');
        }
        b.append(".fi\n.SH SEE ALSO\ntxfs(1), docs/cli.md\n");
        Files.writeString(man.resolve(name + ".1"), b.toString(), StandardCharsets.UTF_8);
        for (CommandLine sub : cli.getSubcommands().values()) {
            if (sub.getCommandName().equals(sub.getCommandSpec().name())) {
                troff(sub, man);
            }
        }
    }

    private static String escape(String text) {
        return text.replace("\\", "\\e").replace("-", "\\-");
    }
}
