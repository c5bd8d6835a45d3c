package io.txfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Access traces through a live mount (docs/reproducibility.md, "Access traces"): {@code txfs run --trace}
 * records what a real shell reads, executes and writes, first access first; {@code txfs trace
 * --reads-outside} is a hermeticity check; the trace outlives the daemon and is its owner's only.
 */
final class TraceIT {
    private static final int NOBODY = 65534;

    @RegisterExtension
    static final MountFixture MOUNT = MountFixture.views().seeded(backing -> {
        try {
            Files.createDirectories(backing.resolve("src"));
            Files.createDirectories(backing.resolve("bin"));
            Files.createDirectories(backing.resolve("extra"));
            Files.writeString(backing.resolve("src/a.c"), "int a;\n");
            Files.writeString(backing.resolve("extra/secret.txt"), "undeclared\n");
            Path tool = backing.resolve("bin/tool");
            Files.writeString(tool, "#!/bin/sh\necho built\n");
            Files.setPosixFilePermissions(tool, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    });

    private static final String STEP = "cd \"$0\" && cat src/a.c > out.o && cat extra/secret.txt > /dev/null"
            + " && { test -e src/missing.h || true; } && ls src > /dev/null && ./bin/tool > /dev/null"
            + " && mkdir -p gen && echo x > gen/f && mv gen/f gen/g";

    private static ProcessRun cli(String... args) {
        return ProcessRun.run(MountFixture.command(args), MOUNT.scratch(), Map.of(), MountFixture.CLI_DEADLINE);
    }

    private static List<String> lines(ProcessRun r) {
        assertTrue(r.succeeded(), r.describe());
        return r.stdout().lines().map(l -> l.replaceAll(" +", " ")).toList();
    }

    @Test
    void aTracedStepListsItsReadsExecsAndWritesInOrder() throws Exception {
        String mnt = MOUNT.mountpoint().toString();
        ProcessRun step = cli("run", "--mount", mnt, "--trace", "--", "/bin/sh", "-c", STEP, mnt);
        assertTrue(step.succeeded(), step.describe());
        String view = step.stderr()
                .lines()
                .filter(l -> l.startsWith("txfs:   trace:"))
                .map(l -> l.substring(l.lastIndexOf(' ') + 1))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no trace line: " + step.describe()));

        List<String> t = lines(cli("trace", "--mount", mnt, view));
        for (String expected : List.of(
                "read src/a.c",
                "create out.o",
                "read extra/secret.txt",
                "missing src/missing.h",
                "readdir src",
                "exec bin/tool",
                "mkdir gen",
                "create gen/f",
                "rename-from gen/f",
                "rename-to gen/g")) {
            assertTrue(t.contains(expected), expected + " in\n" + String.join("\n", t));
        }
        assertTrue(t.indexOf("read src/a.c") < t.indexOf("read extra/secret.txt"), "first-access order");
        assertTrue(t.indexOf("rename-from gen/f") < t.indexOf("rename-to gen/g"));
        assertEquals(t.size(), t.stream().distinct().count(), "each access once");

        // the hermeticity check: declared inputs src/** and bin/*; extra/secret.txt was read too
        ProcessRun outside = cli("trace", "--mount", mnt, view, "--reads-outside", "src/**", "bin/*");
        assertEquals(1, outside.exitCode(), outside.describe());
        List<String> out = outside.stdout().lines().toList();
        assertTrue(out.contains("read extra/secret.txt"), outside.describe());
        assertFalse(
                out.stream().anyMatch(l -> l.contains("src/") || l.contains("out.o") || l.contains("gen")),
                "inputs, the step's own outputs and names it created are no reads outside: " + outside.describe());
        ProcessRun inside = cli("trace", "--mount", mnt, view, "--reads-outside", "src/**", "bin/*", "extra/**");
        assertEquals(0, inside.exitCode(), inside.describe());

        // another uid may not read it
        Path jar = MountFixture.readableJarCopy(MOUNT.scratch().resolve("jar"));
        ProcessRun denied = MOUNT.txfsAs(NOBODY, jar, "trace --mount " + mnt + " " + view);
        assertFalse(denied.succeeded(), denied.describe());

        // it outlives the daemon, killed with SIGKILL: the same entries after a restart
        MOUNT.stopDaemon(true);
        MOUNT.restart();
        assertEquals(t, lines(cli("trace", "--mount", mnt, view)));

        // and goes with the view
        assertTrue(cli("abort", "--mount", mnt, view).succeeded());
        assertFalse(cli("trace", "--mount", mnt, view).succeeded(), "no view, no trace");
    }

    @Test
    void aViewWithoutTracingRecordsNothing() {
        String mnt = MOUNT.mountpoint().toString();
        assertTrue(cli(
                        "run",
                        "--mount",
                        mnt,
                        "--view",
                        "plain",
                        "--",
                        "/bin/sh",
                        "-c",
                        "cat \"$0/src/a.c\" > /dev/null",
                        mnt)
                .succeeded());
        ProcessRun r = cli("trace", "--mount", mnt, "plain", "--json");
        assertTrue(r.succeeded(), r.describe());
        assertTrue(r.stdout().contains("\"traced\":false") && r.stdout().contains("\"count\":0"), r.stdout());
        assertTrue(r.stderr().contains("records no trace"), r.describe());
    }
}
