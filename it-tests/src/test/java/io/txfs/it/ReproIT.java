package io.txfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code txfs repro} through a live mount (docs/reproducibility.md, "txfs repro"): a reproducible command
 * gives one delta id and leaves no view; one that depends on the listing order, the umask, an environment
 * variable or the host name is caught with each differing path explained; normalize rules mask what they say.
 */
final class ReproIT {
    @RegisterExtension
    static final MountFixture MOUNT = MountFixture.views().seeded(backing -> {
        try {
            Files.createDirectories(backing.resolve("src"));
            for (String f : List.of("zeta", "alpha", "mid"))
                Files.writeString(backing.resolve("src/" + f + ".c"), "int " + f + ";\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    });

    private static ProcessRun repro(String... args) {
        List<String> all =
                new ArrayList<>(List.of("repro", "--mount", MOUNT.mountpoint().toString()));
        all.addAll(List.of(args));
        return ProcessRun.run(
                MountFixture.command(all.toArray(String[]::new)),
                MOUNT.mountpoint(),
                Map.of(),
                MountFixture.CLI_DEADLINE);
    }

    private static long reproViews() {
        ProcessRun v = MOUNT.txfs("views", "--mount", MOUNT.mountpoint().toString());
        assertTrue(v.succeeded(), v.describe());
        return v.stdout().lines().filter(l -> l.contains("repro-")).count();
    }

    @Test
    void aReproducibleCommandGivesOneDeltaIdAndLeavesNoView() {
        long before = reproViews();
        ProcessRun r = repro(
                "--runs",
                "3",
                "--vary",
                "readdir,umask,tz,locale",
                "--",
                "/bin/sh",
                "-c",
                // the umask varies too: the command sets its outputs' modes itself, as a reproducible build must
                "mkdir -p out && chmod 755 out && cat src/*.c > out/all.txt && LC_ALL=C sort out/all.txt"
                        + " > out/sorted.txt && chmod 644 out/all.txt out/sorted.txt");
        assertEquals(0, r.exitCode(), r.describe());
        assertTrue(r.stdout().trim().matches("[0-9a-f]{40}"), r.stdout());
        assertTrue(r.stderr().contains("txfs: reproducible: 3 runs"), r.describe());
        assertTrue(r.stderr().contains("readdir reverse") && r.stderr().contains("readdir shuffle"), r.describe());
        assertEquals(before, reproViews(), "the runs' views are removed");
    }

    @Test
    void eachVariationThatMattersIsExplainedPathByPath() {
        ProcessRun r = repro(
                "--vary",
                "readdir,umask,env:BUILD_ID,hostname",
                "--keep",
                "--",
                "/bin/sh",
                "-c",
                "mkdir -p out && find src -type f > out/list.txt && echo \"id=$BUILD_ID\" > out/id"
                        + " && hostname > out/host && echo same > out/same");
        assertEquals(1, r.exitCode(), r.describe());
        String out = r.stdout();
        assertTrue(out.contains("run 2 differs at out/list.txt") && out.contains("-src/alpha.c"), out);
        assertTrue(out.contains("mode 0644 -> 0664"), "the umask: " + out);
        assertTrue(out.contains("+id=txfs-repro-1"), "the variable: " + out);
        assertTrue(out.contains("+txfs-repro-1") && out.contains("run 2 differs at out/host"), "the host name: " + out);
        assertTrue(
                out.contains("run 2 differs at out/same: mode 0644 -> 0664\n"),
                "a file whose bytes are equal differs only by its mode: " + out);
        assertTrue(r.stderr().contains("txfs: not reproducible"), r.describe());
        assertTrue(reproViews() >= 2, "--keep keeps the views");
    }

    @Test
    void normalizeRulesMaskWhatTheySay() throws Exception {
        Path rules = MOUNT.scratch().resolve("stamp-rules");
        Files.writeString(rules, "out/stamp text-regex [0-9]+ N\n");
        String cmd = "mkdir -p out && date +%s%N > out/stamp && cat src/alpha.c > out/a";
        ProcessRun raw = repro("--", "/bin/sh", "-c", cmd);
        assertEquals(1, raw.exitCode(), "the time differs: " + raw.describe());
        assertTrue(raw.stdout().contains("out/stamp"), raw.describe());
        ProcessRun masked = repro("--normalize", rules.toString(), "--", "/bin/sh", "-c", cmd);
        assertEquals(0, masked.exitCode(), masked.describe());
        assertTrue(masked.stdout().trim().matches("[0-9a-f]{40} normalized:[0-9a-f]{16}"), masked.stdout());
    }

    /** A build whose every output differs is explained without a process per output: contents for the first few. */
    @Test
    void manyDifferingOutputsReadContentsForTheFirstOnly() {
        ProcessRun r = repro(
                "--vary",
                "env:SEED",
                "--",
                "/bin/sh",
                "-c",
                "mkdir -p many && for i in $(seq 1 30); do echo \"$SEED $i\" > many/f$i; done");
        assertEquals(1, r.exitCode(), r.describe());
        long withDiff = r.stdout()
                .lines()
                .filter(l -> l.contains("at many/f") && l.endsWith("content:"))
                .count();
        long summarised = r.stdout()
                .lines()
                .filter(l -> l.contains("content differs (shown for the first 20 files"))
                .count();
        assertEquals(20, withDiff, r.stdout());
        assertEquals(10, summarised, r.stdout());
    }
}
