package io.txfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 5 through a live mount: {@code txfs hash} of a view equals real {@code git write-tree} of an
 * equal directory, and two views that make the same change in different orders have the same delta id.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
final class InspectIT {
    @RegisterExtension
    static final ViewMountFixture MOUNT = ViewMountFixture.views().seeded(backing -> {
        try {
            Files.createDirectories(backing.resolve("src"));
            Files.createDirectories(backing.resolve("old/inner"));
            Files.writeString(backing.resolve("src/keep.c"), "int keep;\n");
            Files.writeString(backing.resolve("old/inner/gone.txt"), "gone\n");
            Files.writeString(backing.resolve("README"), "hello\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    });

    /** Executables, a symlink, nested and empty directories, a name with a space, a deleted tree. */
    private static final String CHANGES = """
            set -e
            cd "$0"
            mkdir -p "a b/deep" empty
            printf 'nested\\n' > "a b/deep/f.txt"
            printf '#!/bin/sh\\necho hi\\n' > run.sh
            chmod 755 run.sh
            ln -s README lnk
            rm -r old
            printf 'more\\n' >> README
            """;

    private static ProcessRun cli(String... args) {
        return ProcessRun.run(ViewMountFixture.command(args), MOUNT.scratch(), Map.of(), ViewMountFixture.CLI_DEADLINE);
    }

    private static ProcessRun sh(String script, String dir) {
        return MOUNT.run(MOUNT.scratch(), List.of("/bin/sh", "-c", script, dir));
    }

    private static String git(Path workTree, String objectFormat) {
        Path gitDir = MOUNT.scratch().resolve("git-" + objectFormat + "-" + System.nanoTime());
        String env = "HOME=" + MOUNT.scratch() + " GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null LC_ALL=C";
        ProcessRun r = MOUNT.run(MOUNT.scratch(), List.of("/bin/sh", "-c",
                "env " + env + " git --git-dir=\"$1\" init -q --object-format=" + objectFormat
                        + " && env " + env + " git --git-dir=\"$1\" --work-tree=\"$0\" add -A --force"
                        + " && env " + env + " git --git-dir=\"$1\" --work-tree=\"$0\" write-tree",
                workTree.toString(), gitDir.toString()));
        assertTrue(r.succeeded(), r.describe());
        return r.stdout().trim();
    }

    private static boolean gitAvailable() {
        ProcessRun r = ProcessRun.run(List.of("git", "--version"), ViewMountFixture.CLI_DEADLINE);
        return r.succeeded();
    }

    private static JsonNode json(ProcessRun r) {
        assertTrue(r.succeeded(), r.describe());
        try {
            return new ObjectMapper().readTree(r.stdout());
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + r.describe(), e);
        }
    }

    @Test
    @Order(1)
    void hashOfAViewEqualsGitWriteTreeOfAnEqualDirectory() throws Exception {
        assumeTrue(gitAvailable(), "git is not installed: tree ids NOT compared with git");
        String mnt = MOUNT.mountpoint().toString();
        // the published state before any change is the backing directory, in both object formats
        Path before = MOUNT.scratch().resolve("before");
        assertTrue(sh("cp -a \"$0/.\" \"$0/../before\"", MOUNT.backing().toString()).succeeded());
        for (String format : List.of("sha1", "sha256")) {
            ProcessRun pub = cli("hash", "--mount", mnt, "--published", "--" + format);
            assertTrue(pub.succeeded(), pub.describe());
            assertEquals(git(before, format), pub.stdout().trim(), "published, " + format);
            ProcessRun back = cli("hash", "--mount", mnt, "--backing", "--" + format);
            assertEquals(pub.stdout(), back.stdout(), "backing equals published before any publish\n" + back.describe());
        }

        ProcessRun run = cli("run", "--mount", mnt, "--view", "hash-v", "--", "/bin/sh", "-c", CHANGES, mnt);
        assertTrue(run.succeeded(), run.describe());
        Path copy = MOUNT.scratch().resolve("copy");
        assertTrue(sh("cp -a \"$0/.\" \"$0/../copy\"", MOUNT.backing().toString()).succeeded());
        ProcessRun same = sh(CHANGES, copy.toString());
        assertTrue(same.succeeded(), same.describe());

        for (String format : List.of("sha1", "sha256")) {
            ProcessRun view = cli("hash", "--mount", mnt, "--view", "hash-v", "--" + format);
            assertTrue(view.succeeded(), view.describe());
            String expected = git(copy, format);
            assertEquals(expected, view.stdout().trim(), "view hash-v, " + format);
            assertNotEquals(git(before, format), expected, "the change is visible in the id");
        }
        // a subtree, by its path in the mount: the tree id git gives that directory
        ProcessRun sub = cli("hash", "--mount", mnt, "--view", "hash-v", "--json", "a b");
        JsonNode subReply = json(sub);
        assertEquals("a b", subReply.path("path").asText());
        Path subCopy = MOUNT.scratch().resolve("sub-copy");
        assertTrue(sh("cp -a \"$0/a b/.\" \"$0/../sub-copy\"", copy.toString()).succeeded());
        assertEquals(git(subCopy, "sha1"), subReply.path("id").asText());
        // the published state did not move
        assertEquals(git(before, "sha1"), cli("hash", "--mount", mnt, "--published").stdout().trim());
    }

    @Test
    @Order(2)
    void twoViewsMakingTheSameChangeInDifferentOrdersHaveOneDeltaId() {
        String mnt = MOUNT.mountpoint().toString();
        String forward = """
                set -e
                cd "$0"
                printf 'x\\n' > x.txt
                mkdir -p d/e
                printf 'y\\n' > d/e/y.txt
                chmod 600 src/keep.c
                rm README
                """;
        String backward = """
                set -e
                cd "$0"
                rm README
                mkdir d
                printf 'tmp\\n' > d/tmp
                chmod 600 src/keep.c
                mkdir d/e
                printf 'first\\n' > x.txt
                mv d/tmp d/e/y.txt
                printf 'y\\n' > d/e/y.txt
                printf 'x\\n' > x.txt
                """;
        assertTrue(cli("run", "--mount", mnt, "--view", "order-a", "--", "/bin/sh", "-c", forward, mnt).succeeded());
        assertTrue(cli("run", "--mount", mnt, "--view", "order-b", "--", "/bin/sh", "-c", backward, mnt).succeeded());
        JsonNode a = json(cli("diff", "--mount", mnt, "order-a", "--format=jsonl", "--json"));
        JsonNode b = json(cli("diff", "--mount", mnt, "order-b", "--format=jsonl", "--json"));
        assertEquals(a.path("jsonl").asText(), b.path("jsonl").asText());
        assertEquals(a.path("delta_id").asText(), b.path("delta_id").asText());
        assertEquals(40, a.path("delta_id").asText().length(), a.toString());
        assertTrue(a.path("jsonl").asText().contains("{\"path\":\"README\",\"change\":\"deleted\",\"type\":\"file\"}"), a.toString());

        // the plain jsonl output is exactly the canonical lines, and sha256 gives a 64-digit id
        ProcessRun lines = cli("diff", "--mount", mnt, "order-a", "--format=jsonl");
        assertEquals(a.path("jsonl").asText(), lines.stdout(), lines.describe());
        JsonNode wide = json(cli("diff", "--mount", mnt, "order-a", "--format=jsonl", "--sha256", "--json"));
        assertEquals(64, wide.path("delta_id").asText().length());

        // status --canonical carries the same id; a different change has a different one
        JsonNode status = json(cli("status", "--mount", mnt, "order-b", "--canonical", "--json"));
        assertEquals(a.path("delta_id").asText(), status.path("delta_id").asText());
        assertTrue(status.path("entries").size() > 0, "the engine's entries stay");
        assertTrue(cli("run", "--mount", mnt, "--view", "order-c", "--", "/bin/sh", "-c", "printf 'z\\n' > \"$0/x.txt\"", mnt).succeeded());
        JsonNode c = json(cli("diff", "--mount", mnt, "order-c", "--format=jsonl", "--json"));
        assertNotEquals(a.path("delta_id").asText(), c.path("delta_id").asText());
    }

    /** Last: it publishes, which the other tests' published-state checks must not see. */
    @Test
    @Order(3)
    void logListsAPublishWithItsView() {
        String mnt = MOUNT.mountpoint().toString();
        ProcessRun run = cli("run", "--mount", mnt, "--view", "logged", "--publish", "--", "/bin/sh", "-c",
                "printf 'l\\n' > \"$0/logged.txt\"", mnt);
        assertTrue(run.succeeded(), run.describe());
        JsonNode log = json(cli("log", "--mount", mnt, "--json"));
        boolean found = false;
        for (JsonNode e : log.path("entries")) {
            found |= e.path("view").asText().equals("logged") && e.path("kind").asText().equals("publish")
                    && e.path("paths").asLong() >= 1;
        }
        assertTrue(found, log.toString());
        ProcessRun text = cli("log", "--mount", mnt);
        assertTrue(text.succeeded() && text.stdout().startsWith(" VERSION") && text.stdout().contains("logged"), text.describe());
        assertFalse(text.stdout().isBlank());
    }
}
