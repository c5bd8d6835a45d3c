package io.txfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A real build in a view: {@code txfs run --view build -- make -j2} on a small C project in the mount
 * puts its outputs only in that view (not in another view, not in the backing directory); {@code txfs
 * commit build} then brings them into the backing directory.
 */
final class BuildInViewIT {
    private static final List<String> OUTPUTS = List.of("main.o", "greet.o", "count.o", "app");
    private static final String APP_OUTPUT = "hello from a view; 3 words counted\n";

    @RegisterExtension
    static final MountFixture MOUNT = MountFixture.views().seeded(BuildInViewIT::seed);

    private static void seed(Path backing) {
        try {
            Path p = Files.createDirectory(backing.resolve("proj"));
            Files.writeString(p.resolve("greet.h"), "const char *greeting(void);\nint count_words(const char *s);\n");
            Files.writeString(
                    p.resolve("greet.c"),
                    "#include \"greet.h\"\nconst char *greeting(void) { return \"hello from a view\"; }\n");
            Files.writeString(p.resolve("count.c"), """
                    #include "greet.h"
                    int count_words(const char *s) {
                        int n = 0, in = 0;
                        for (; *s; s++) {
                            if (*s == ' ') { in = 0; } else if (!in) { in = 1; n++; }
                        }
                        return n;
                    }
                    """);
            Files.writeString(p.resolve("main.c"), """
                    #include <stdio.h>
                    #include "greet.h"
                    int main(void) {
                        printf("%s; %d words counted\\n", greeting(), count_words("one two three"));
                        return 0;
                    }
                    """);
            Files.writeString(p.resolve("Makefile"), """
                    CFLAGS = -O1 -Wall
                    app: main.o greet.o count.o
                    \t$(CC) -o $@ $^
                    %.o: %.c greet.h
                    \t$(CC) $(CFLAGS) -c -o $@ $<
                    clean:
                    \trm -f app *.o
                    """);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void makeInAViewKeepsItsOutputsThereUntilCommit() {
        String mnt = MOUNT.mountpoint().toString();
        Path proj = MOUNT.mountpoint().resolve("proj");
        // cd proj && txfs run: the command finds its working directory again inside the view
        ProcessRun build = ProcessRun.run(
                MountFixture.command("run", "--view", "build", "--", "make", "-j2"),
                proj,
                Map.of(),
                MountFixture.CLI_DEADLINE);
        assertEquals(0, build.exitCode(), "txfs run -- make -j2\n" + build.describe());
        assertTrue(build.stdout().contains("-o app"), "make linked the app\n" + build.describe());

        try (ViewAgent inBuild = MOUNT.agent("build", ViewAgent.Way.NAMESPACE);
                ViewAgent other = MOUNT.agent("build-other", ViewAgent.Way.SHARED_ROOT, "read-committed")) {
            for (String o : OUTPUTS) {
                assertTrue(inBuild.exists("proj/" + o), o + " is in the build view");
                assertFalse(other.exists("proj/" + o), o + " must not be visible in another view");
                assertFalse(
                        Files.exists(MOUNT.backing().resolve("proj").resolve(o)),
                        o + " must not be in the backing directory yet");
            }
            assertEquals(
                    List.of("Makefile", "count.c", "greet.c", "greet.h", "main.c"),
                    other.list("proj"),
                    "another view lists the sources only");
            assertEquals(
                    APP_OUTPUT,
                    inBuild.call("run", "argv", List.of(MOUNT.mnt("proj/app")))
                            .get("out")
                            .asText(),
                    "the app runs inside its view");
            ProcessRun upToDate = ProcessRun.run(
                    MountFixture.command("run", "--view", "build", "--", "make", "-q"),
                    proj,
                    Map.of(),
                    MountFixture.CLI_DEADLINE);
            assertEquals(
                    0,
                    upToDate.exitCode(),
                    "make -q in the view: everything is up to date (mtimes kept)\n" + upToDate.describe());
        }

        ProcessRun status = MOUNT.txfs("status", "--mount", mnt, "build");
        assertTrue(status.succeeded(), status.describe());
        for (String o : OUTPUTS) {
            assertTrue(status.stdout().contains("proj/" + o), "txfs status lists proj/" + o + "\n" + status.describe());
        }

        ProcessRun commit = MOUNT.txfs("commit", "--mount", mnt, "build");
        assertTrue(commit.succeeded(), "txfs commit build\n" + commit.describe());
        for (String o : OUTPUTS) {
            assertTrue(
                    Files.isRegularFile(MOUNT.backing().resolve("proj").resolve(o)),
                    o + " is in the backing directory after commit");
        }
        Path app = MOUNT.backing().resolve("proj/app");
        assertTrue(Files.isExecutable(app), "the committed app keeps its execute bit");
        ProcessRun run = MOUNT.run(MOUNT.scratch(), List.of(app.toString()));
        assertEquals(APP_OUTPUT, run.stdout(), "the committed app runs from the backing directory\n" + run.describe());
    }
}
