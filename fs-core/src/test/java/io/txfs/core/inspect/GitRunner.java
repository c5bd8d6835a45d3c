package io.txfs.core.inspect;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the real git on a work tree, isolated from the user's and the system's configuration. */
final class GitRunner {
    private GitRunner() {}

    static boolean available() {
        try {
            Process p = new ProcessBuilder("git", "--version")
                    .redirectErrorStream(true)
                    .start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    static void assumeGit() {
        if (!available()) {
            System.err.println(
                    "!!! SKIPPING git compatibility test: no 'git' on PATH; tree ids are NOT verified against git !!!");
        }
        assumeTrue(available(), "git is not installed: git compatibility NOT verified");
    }

    /** {@code git add -A --force && git write-tree} of {@code workTree} with a git dir outside it. */
    static String writeTree(Path workTree, Path scratch, ObjectFormat format) throws IOException, InterruptedException {
        Path gitDir = Files.createTempDirectory(scratch, "gitdir");
        run(scratch, "git", "--git-dir=" + gitDir, "init", "-q", "--object-format=" + format.gitName());
        run(scratch, "git", "--git-dir=" + gitDir, "--work-tree=" + workTree, "add", "-A", "--force");
        return run(scratch, "git", "--git-dir=" + gitDir, "--work-tree=" + workTree, "write-tree")
                .trim();
    }

    private static String run(Path scratch, String... cmd) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(cmd));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.put("HOME", scratch.toString());
        env.put("GIT_CONFIG_NOSYSTEM", "1");
        env.put("GIT_CONFIG_GLOBAL", "/dev/null");
        env.put("LC_ALL", "C");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
        return out;
    }
}
