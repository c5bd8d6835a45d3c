package io.txfs.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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
    static final MountFixture MOUNT = MountFixture.views().seeded(backing -> {
        try {
            Files.createDirectories(backing.resolve("src"));
            Files.createDirectories(backing.resolve("old/inner"));
            Files.writeString(backing.resolve("src/keep.c"), "int keep;\n");
            Files.writeString(backing.resolve("old/inner/gone.txt"), "gone\n");
            Files.writeString(backing.resolve("README"), "hello\n");
            // readable by root only: hashes for other users must not read it
            Files.createDirectories(backing.resolve("secret"));
            Files.writeString(backing.resolve("secret/key"), "k\n");
            Files.setPosixFilePermissions(backing.resolve("secret"), PosixFilePermissions.fromString("rwx------"));
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
        return ProcessRun.run(MountFixture.command(args), MOUNT.scratch(), Map.of(), MountFixture.CLI_DEADLINE);
    }

    private static ProcessRun sh(String script, String dir) {
        return MOUNT.run(MOUNT.scratch(), List.of("/bin/sh", "-c", script, dir));
    }

    private static String git(Path workTree, String objectFormat) {
        Path gitDir = MOUNT.scratch().resolve("git-" + objectFormat + "-" + System.nanoTime());
        String env = "HOME=" + MOUNT.scratch() + " GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null LC_ALL=C";
        ProcessRun r = MOUNT.run(
                MOUNT.scratch(),
                List.of(
                        "/bin/sh",
                        "-c",
                        "env " + env + " git --git-dir=\"$1\" init -q --object-format=" + objectFormat
                                + " && env " + env + " git --git-dir=\"$1\" --work-tree=\"$0\" add -A --force"
                                + " && env " + env + " git --git-dir=\"$1\" --work-tree=\"$0\" write-tree",
                        workTree.toString(),
                        gitDir.toString()));
        assertTrue(r.succeeded(), r.describe());
        return r.stdout().trim();
    }

    private static boolean gitAvailable() {
        ProcessRun r = ProcessRun.run(List.of("git", "--version"), MountFixture.CLI_DEADLINE);
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
        // the published state before any change is the backing directory, in both object formats (copies
        // of it leave out .txfs, where the daemon records which state directory serves it: views never show it)
        Path before = MOUNT.scratch().resolve("before");
        assertTrue(sh(
                        "cp -a \"$0/.\" \"$0/../before\" && rm -r \"$0/../before/.txfs\"",
                        MOUNT.backing().toString())
                .succeeded());
        for (String format : List.of("sha1", "sha256")) {
            ProcessRun pub = cli("hash", "--mount", mnt, "--published", "--" + format);
            assertTrue(pub.succeeded(), pub.describe());
            assertEquals(git(before, format), pub.stdout().trim(), "published, " + format);
            ProcessRun back = cli("hash", "--mount", mnt, "--backing", "--" + format);
            assertEquals(
                    pub.stdout(), back.stdout(), "backing equals published before any publish\n" + back.describe());
        }

        ProcessRun run = cli("run", "--mount", mnt, "--view", "hash-v", "--", "/bin/sh", "-c", CHANGES, mnt);
        assertTrue(run.succeeded(), run.describe());
        Path copy = MOUNT.scratch().resolve("copy");
        assertTrue(sh(
                        "cp -a \"$0/.\" \"$0/../copy\" && rm -r \"$0/../copy/.txfs\"",
                        MOUNT.backing().toString())
                .succeeded());
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
        assertEquals(
                git(before, "sha1"),
                cli("hash", "--mount", mnt, "--published").stdout().trim());
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
        assertTrue(cli("run", "--mount", mnt, "--view", "order-a", "--", "/bin/sh", "-c", forward, mnt)
                .succeeded());
        assertTrue(cli("run", "--mount", mnt, "--view", "order-b", "--", "/bin/sh", "-c", backward, mnt)
                .succeeded());
        JsonNode a = json(cli("diff", "--mount", mnt, "order-a", "--format=jsonl", "--json"));
        JsonNode b = json(cli("diff", "--mount", mnt, "order-b", "--format=jsonl", "--json"));
        assertEquals(a.path("jsonl").asText(), b.path("jsonl").asText());
        assertEquals(a.path("delta_id").asText(), b.path("delta_id").asText());
        assertEquals(40, a.path("delta_id").asText().length(), a.toString());
        assertTrue(
                a.path("jsonl").asText().contains("{\"path\":\"README\",\"change\":\"deleted\",\"type\":\"file\"}"),
                a.toString());

        // the plain jsonl output is exactly the canonical lines, and sha256 gives a 64-digit id
        ProcessRun lines = cli("diff", "--mount", mnt, "order-a", "--format=jsonl");
        assertEquals(a.path("jsonl").asText(), lines.stdout(), lines.describe());
        JsonNode wide = json(cli("diff", "--mount", mnt, "order-a", "--format=jsonl", "--sha256", "--json"));
        assertEquals(64, wide.path("delta_id").asText().length());

        // status --canonical carries the same id; a different change has a different one
        JsonNode status = json(cli("status", "--mount", mnt, "order-b", "--canonical", "--json"));
        assertEquals(a.path("delta_id").asText(), status.path("delta_id").asText());
        assertTrue(status.path("entries").size() > 0, "the engine's entries stay");
        assertTrue(cli(
                        "run",
                        "--mount",
                        mnt,
                        "--view",
                        "order-c",
                        "--",
                        "/bin/sh",
                        "-c",
                        "printf 'z\\n' > \"$0/x.txt\"",
                        mnt)
                .succeeded());
        JsonNode c = json(cli("diff", "--mount", mnt, "order-c", "--format=jsonl", "--json"));
        assertNotEquals(a.path("delta_id").asText(), c.path("delta_id").asText());
    }

    private static String cliLine(String... args) {
        StringBuilder b = new StringBuilder();
        for (String a : MountFixture.command(args)) {
            b.append('\'').append(a.replace("'", "'\\''")).append("' ");
        }
        return b.toString();
    }

    @Test
    @Order(3)
    void exportOneViewImportIntoANewViewGivesTheSameTree() {
        String mnt = MOUNT.mountpoint().toString();
        assertTrue(cli(
                        "run",
                        "--mount",
                        mnt,
                        "--view",
                        "ex-src",
                        "--",
                        "/bin/sh",
                        "-c",
                        CHANGES + "ln run.sh \"a b/run-link\"\nmkfifo pipe\n",
                        mnt)
                .succeeded());
        Path tar = MOUNT.scratch().resolve("layer.tar");
        ProcessRun export = sh(cliLine("export", "--mount", mnt, "ex-src") + " > \"$0\"", tar.toString());
        assertTrue(export.succeeded(), export.describe());
        ProcessRun list = MOUNT.run(MOUNT.scratch(), List.of("tar", "-tvf", tar.toString()));
        assertTrue(
                list.succeeded()
                        && list.stdout().contains(".wh.old")
                        && list.stdout().contains("run.sh link to a b/run-link"),
                "GNU tar reads the layer, with the whiteout and the hard link\n" + list.describe());

        ProcessRun imp = sh(cliLine("import", "--mount", mnt, "ex-dst", "--json") + " < \"$0\"", tar.toString());
        assertTrue(imp.succeeded(), imp.describe());
        assertTrue(imp.stdout().contains("\"created\":true"), imp.describe());
        for (String[] flags : List.of(new String[] {"--sha1"}, new String[] {"--sha256", "--extended"})) {
            ProcessRun a = cli(concat(new String[] {"hash", "--mount", mnt, "--view", "ex-src"}, flags));
            ProcessRun b = cli(concat(new String[] {"hash", "--mount", mnt, "--view", "ex-dst"}, flags));
            assertTrue(a.succeeded() && b.succeeded(), a.describe() + b.describe());
            assertEquals(a.stdout(), b.stdout(), String.join(" ", flags));
        }
        JsonNode da = json(cli("diff", "--mount", mnt, "ex-src", "--format=jsonl", "--json"));
        JsonNode db = json(cli("diff", "--mount", mnt, "ex-dst", "--format=jsonl", "--json"));
        assertEquals(da.path("delta_id").asText(), db.path("delta_id").asText());

        // A layer file inside the mount: the CLI spools it outside, since the daemon never reads
        // through its own mount; a raw control write handing it such a descriptor is refused.
        ProcessRun carry = cli(
                "run",
                "--mount",
                mnt,
                "--view",
                "ex-carrier",
                "--",
                "/bin/sh",
                "-c",
                "cp \"$0\" \"$1/layer.tar\"",
                tar.toString(),
                mnt);
        assertTrue(carry.succeeded(), carry.describe());
        ProcessRun inMount = cli(
                "run",
                "--mount",
                mnt,
                "--view",
                "ex-carrier",
                "--",
                "/bin/sh",
                "-c",
                cliLine("import", "--mount", mnt, "ex-in-mount", "--json") + " < \"$0/layer.tar\"",
                mnt);
        assertTrue(inMount.succeeded() && inMount.stdout().contains("\"created\":true"), inMount.describe());
        assertEquals(
                cli("hash", "--mount", mnt, "--view", "ex-src").stdout(),
                cli("hash", "--mount", mnt, "--view", "ex-in-mount").stdout());
        // bash, whose echo names the write's errno (dash's says "I/O error" for any)
        ProcessRun raw = cli(
                "run",
                "--mount",
                mnt,
                "--view",
                "ex-carrier",
                "--",
                "/bin/bash",
                "-c",
                "echo 'import view=ex-raw fd=0' > \"$0/.txfs/ctl\" < \"$0/layer.tar\"",
                mnt);
        assertFalse(raw.succeeded(), raw.describe());
        assertTrue(raw.stderr().contains("Invalid argument"), raw.describe());
        assertFalse(cli("status", "--mount", mnt, "ex-raw").succeeded(), "no view was made");
    }

    @Test
    @Order(4)
    void aBadLayerIsRejectedAndChangesNothing() throws Exception {
        String mnt = MOUNT.mountpoint().toString();
        assertTrue(cli(
                        "run",
                        "--mount",
                        mnt,
                        "--view",
                        "im-keep",
                        "--",
                        "/bin/sh",
                        "-c",
                        "printf 'mine\\n' > \"$0/mine.txt\"",
                        mnt)
                .succeeded());
        String before = json(cli("status", "--mount", mnt, "im-keep", "--json"))
                .path("entries")
                .toString();
        String hashBefore = cli("hash", "--mount", mnt, "--view", "im-keep").stdout();

        Path evil = MOUNT.scratch().resolve("evil.tar");
        Path payload = Files.writeString(MOUNT.scratch().resolve("payload"), "x\n");
        ProcessRun mk = MOUNT.run(MOUNT.scratch(), List.of("tar", "-cPf", evil.toString(), payload.toString()));
        assertTrue(mk.succeeded(), mk.describe());
        for (String view : List.of("im-keep", "im-new")) {
            ProcessRun imp = sh(cliLine("import", "--mount", mnt, view) + " < \"$0\"", evil.toString());
            assertFalse(imp.succeeded(), imp.describe());
            assertTrue(
                    imp.stderr().contains("ABSOLUTE_PATH") && imp.stderr().contains("nothing was changed"),
                    imp.describe());
        }
        // truncated: the first 1000 bytes of a good layer
        Path good = MOUNT.scratch().resolve("good.tar");
        assertTrue(MOUNT.run(
                        MOUNT.scratch(),
                        List.of(
                                "tar",
                                "-cf",
                                good.toString(),
                                "-C",
                                MOUNT.scratch().toString(),
                                "payload"))
                .succeeded());
        Path cut = MOUNT.scratch().resolve("cut.tar");
        Files.write(cut, Arrays.copyOf(Files.readAllBytes(good), 1000));
        ProcessRun truncated = sh(cliLine("import", "--mount", mnt, "im-keep") + " < \"$0\"", cut.toString());
        assertFalse(truncated.succeeded(), truncated.describe());
        assertTrue(truncated.stderr().contains("TRUNCATED"), truncated.describe());
        // a descriptor open for writing only is not read by the daemon
        ProcessRun writeOnly = sh(
                cliLine("import", "--mount", mnt, "im-keep") + " 0> \"$0\"",
                MOUNT.scratch().resolve("w").toString());
        assertFalse(writeOnly.succeeded(), writeOnly.describe());
        assertTrue(writeOnly.stderr().contains("not open for reading"), writeOnly.describe());

        assertEquals(
                before,
                json(cli("status", "--mount", mnt, "im-keep", "--json"))
                        .path("entries")
                        .toString());
        assertEquals(
                hashBefore, cli("hash", "--mount", mnt, "--view", "im-keep").stdout());
        assertFalse(
                cli("views", "--mount", mnt, "--json").stdout().contains("im-new"),
                "a rejected import creates no view");
    }

    @Test
    @Order(5)
    void anotherUserHashesOnlyWhatItMayRead() throws Exception {
        String mnt = MOUNT.mountpoint().toString();
        try (ViewAgent owner = MOUNT.agent("ins-owned", ViewAgent.Way.SHARED_ROOT)) {
            owner.write("owned.txt", "root's pending file\n");
            List<String> commands = List.of(
                    "hash view=ins-owned",
                    "export view=ins-owned format=oci-tar",
                    "diff view=ins-owned format=jsonl",
                    "hash published",
                    "hash published path=src",
                    "hash published path=secret/key",
                    "hash backing path=secret/key");
            StringBuilder input = new StringBuilder();
            for (String c : commands) {
                input.append(ViewAgent.command("ctl", "mount", mnt, "line", c + "\n"))
                        .append('\n');
            }
            Path in = MOUNT.scratch().resolve("inspect-nobody.jsonl");
            Files.writeString(in, input.toString());
            Files.setPosixFilePermissions(in, PosixFilePermissions.fromString("rw-r--r--"));
            Process p = new ProcessBuilder(
                            "setsid",
                            "-w",
                            "setpriv",
                            "--reuid=65534",
                            "--regid=65534",
                            "--clear-groups",
                            "/usr/bin/python3",
                            MOUNT.agentScript().toString())
                    .directory(new File("/"))
                    .redirectInput(in.toFile())
                    .redirectErrorStream(true)
                    .start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the unprivileged client finished");
            List<String> lines = output.lines().toList();
            assertEquals(commands.size(), lines.size(), output);
            List<String> expected = List.of("EPERM", "EPERM", "EPERM", "EACCES", "", "EACCES", "EACCES");
            for (int i = 0; i < commands.size(); i++) {
                JsonNode r = new ObjectMapper().readTree(lines.get(i));
                String errno = r.path("result").path("errno").isNull()
                        ? ""
                        : r.path("result").path("errno").asText();
                assertEquals(expected.get(i), errno, "uid 65534: " + commands.get(i) + " -> " + r);
            }
            JsonNode src =
                    new ObjectMapper().readTree(lines.get(4)).path("result").path("reply");
            ProcessRun rootSrc = cli("hash", "--mount", mnt, "--published", "src");
            assertEquals(
                    rootSrc.stdout().trim(), src.path("id").asText(), "the same id as root's\n" + rootSrc.describe());
        }
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** Stdout as bytes, exactly as the CLI wrote them. */
    private static byte[] rawStdout(String... args) throws IOException {
        Path out = Files.createTempFile(MOUNT.scratch(), "raw", ".out");
        String[] shell = {"/bin/sh", "-c", "out=$0; \"$@\" > \"$out\"", out.toString()};
        ProcessRun r = MOUNT.run(
                MOUNT.scratch(),
                List.of(concat(shell, MountFixture.command(args).toArray(new String[0]))));
        assertTrue(r.succeeded(), r.describe());
        return Files.readAllBytes(out);
    }

    /**
     * Names with a newline, a tab and a byte that is not UTF-8: quoted as git's core.quotePath in text
     * (status, diff --name-only, --stat, the diff's headers), exact bytes with -z and --json.
     */
    @Test
    @Order(8)
    void namesThatAreNotUtf8OrHoldNewlinesAreQuotedInTextAndExactOtherwise() throws Exception {
        String mnt = MOUNT.mountpoint().toString();
        String make = "import os, sys\n"
                + "d = os.fsencode(sys.argv[1])\n"
                + "for n in (b'new\\nline', b'tab\\tx', b'x\\xffy'):\n"
                + "    open(os.path.join(d, n), 'wb').write(b'text\\n')\n";
        ProcessRun made = cli("run", "--mount", mnt, "--view", "odd", "--", "/usr/bin/python3", "-c", make, mnt);
        assertTrue(made.succeeded(), made.describe());

        ProcessRun status = cli("status", "--mount", mnt, "odd", "--porcelain");
        assertEquals("A  \"new\\nline\"\nA  \"tab\\tx\"\nA  \"x\\377y\"\n", status.stdout(), status.describe());
        assertTrue(cli("status", "--mount", mnt, "odd").stdout().startsWith(status.stdout()));
        ProcessRun names = cli("diff", "--mount", mnt, "odd", "--name-only");
        assertEquals("\"new\\nline\"\n\"tab\\tx\"\n\"x\\377y\"\n", names.stdout(), names.describe());
        ProcessRun stat = cli("diff", "--mount", mnt, "odd", "--stat");
        assertTrue(
                stat.stdout().contains(" \"x\\377y\"    | 1 +\n")
                        && stat.stdout().contains(" 3 files changed, 3 insertions(+)"),
                stat.describe());
        ProcessRun diff = cli("diff", "--mount", mnt, "odd");
        assertTrue(
                diff.stdout().contains("diff --txfs \"a/x\\377y\" \"b/x\\377y\"\n")
                        && diff.stdout().contains("+++ \"b/x\\377y\"\n@@ -0,0 +1 @@\n+text\n"),
                diff.describe());

        byte[] bad = {'x', (byte) 0xff, 'y'};
        java.io.ByteArrayOutputStream z = new java.io.ByteArrayOutputStream();
        z.writeBytes("new\nline\0tab\tx\0".getBytes(StandardCharsets.US_ASCII));
        z.writeBytes(bad);
        z.write(0);
        assertArrayEquals(z.toByteArray(), rawStdout("diff", "--mount", mnt, "odd", "--name-only", "-z"));
        java.io.ByteArrayOutputStream sz = new java.io.ByteArrayOutputStream();
        sz.writeBytes("A  new\nline\0A  tab\tx\0A  ".getBytes(StandardCharsets.US_ASCII));
        sz.writeBytes(bad);
        sz.write(0);
        assertArrayEquals(sz.toByteArray(), rawStdout("status", "--mount", mnt, "odd", "-z"));

        JsonNode js = json(cli("status", "--mount", mnt, "odd", "--json"));
        assertEquals("new\nline", js.path("entries").get(0).path("path").asText(), js.toString());
        assertEquals("tab\tx", js.path("entries").get(1).path("path").asText(), js.toString());
        assertEquals("x%FFy", js.path("entries").get(2).path("path").asText(), js.toString());
        assertTrue(js.path("entries").get(2).path("encoded").asBoolean(), js.toString());
        assertFalse(js.path("entries").get(0).has("encoded"), js.toString());
        JsonNode jn = json(cli("diff", "--mount", mnt, "odd", "--name-only", "--json"));
        assertEquals(
                js.path("entries").get(2).path("path"),
                jn.path("entries").get(2).path("path"),
                jn.toString());
        assertEquals("new\nline", jn.path("entries").get(0).path("path").asText(), jn.toString());
        assertTrue(cli("abort", "--mount", mnt, "odd").succeeded());
    }

    /** Last: it publishes, which the other tests' published-state checks must not see. */
    @Test
    @Order(9)
    void logListsAPublishWithItsView() {
        String mnt = MOUNT.mountpoint().toString();
        ProcessRun run = cli(
                "run",
                "--mount",
                mnt,
                "--view",
                "logged",
                "--publish",
                "--",
                "/bin/sh",
                "-c",
                "printf 'l\\n' > \"$0/logged.txt\"",
                mnt);
        assertTrue(run.succeeded(), run.describe());
        JsonNode log = json(cli("log", "--mount", mnt, "--json"));
        boolean found = false;
        for (JsonNode e : log.path("entries")) {
            found |= e.path("view").asText().equals("logged")
                    && e.path("kind").asText().equals("publish")
                    && e.path("paths").asLong() >= 1;
        }
        assertTrue(found, log.toString());
        ProcessRun text = cli("log", "--mount", mnt);
        assertTrue(
                text.succeeded()
                        && text.stdout().startsWith(" VERSION")
                        && text.stdout().contains("logged"),
                text.describe());
        assertFalse(text.stdout().isBlank());
    }
}
