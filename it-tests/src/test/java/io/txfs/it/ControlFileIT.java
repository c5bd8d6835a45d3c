package io.txfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The control file as a shell and a careless or hostile client use it: {@code echo VERB > .txfs/ctl}
 * succeeds or fails with the right exit status in /bin/sh; bad commands get EINVAL, someone else's view
 * EPERM, .txfs refuses every change; the daemon keeps serving afterwards. Shell commands run under
 * {@code setsid}, so each has a Linux session (and session view) of its own.
 */
final class ControlFileIT {
    @RegisterExtension
    static final MountFixture MOUNT = MountFixture.views().seeded(ControlFileIT::seed);

    private static void seed(Path backing) {
        try {
            Files.writeString(backing.resolve("served.txt"), "still served\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ProcessRun sh(String script) {
        return MOUNT.run(
                MOUNT.scratch(),
                List.of(
                        "setsid",
                        "-w",
                        "/bin/sh",
                        "-c",
                        script,
                        "sh",
                        MOUNT.mountpoint().toString()));
    }

    private static void assertDaemonServes(ViewAgent reader) {
        assertEquals("still served\n", reader.read("served.txt"), "the daemon still serves reads");
        ProcessRun views = MOUNT.txfs("views", "--mount", MOUNT.mountpoint().toString(), "--json");
        assertTrue(views.succeeded(), "txfs views still works\n" + views.describe());
    }

    @Test
    void echoPublishInAShellSucceedsWithStatusZero() {
        ProcessRun r = sh("cd \"$1\" && echo hello from sh > shell-ok.txt && echo publish > .txfs/ctl");
        assertEquals(0, r.exitCode(), "echo publish > .txfs/ctl in /bin/sh\n" + r.describe());
        try (ViewAgent other = MOUNT.agent("cf-shell-ok-reader", ViewAgent.Way.SHARED_ROOT, "read-committed")) {
            assertEquals("hello from sh\n", other.read("shell-ok.txt"), "the shell's session view was published");
        }
    }

    @Test
    void echoOfABadVerbOrAMissingViewFailsInAShell() {
        ProcessRun frob = sh("echo frob > \"$1/.txfs/ctl\"");
        assertNotEquals(0, frob.exitCode(), "echo frob > .txfs/ctl must fail\n" + frob.describe());
        ProcessRun missing = sh("echo publish view=no-such-view > \"$1/.txfs/ctl\"");
        assertNotEquals(
                0, missing.exitCode(), "publishing a view that does not exist must fail\n" + missing.describe());
        ProcessRun ok = sh("echo status > \"$1/.txfs/ctl\"");
        assertEquals(0, ok.exitCode(), "a good command still succeeds\n" + ok.describe());
    }

    @Test
    void echoPublishInAShellFailsOnAConflictAndKeepsTheView() throws Exception {
        String script = """
                cd "$1" || exit 9
                echo begin view=cf-shell-conflict > .txfs/ctl || exit 8
                echo mine > shell-conflict.txt || exit 7
                echo ready
                read go
                echo publish > .txfs/ctl
                echo "publish-status=$?"
                cat shell-conflict.txt
                """;
        Process shell = new ProcessBuilder(
                        "setsid",
                        "-w",
                        "/bin/sh",
                        "-c",
                        script,
                        "sh",
                        MOUNT.mountpoint().toString())
                .redirectErrorStream(true)
                .start();
        try (ViewAgent other = MOUNT.agent("cf-shell-rival", ViewAgent.Way.SHARED_ROOT);
                BufferedReader out =
                        new BufferedReader(new InputStreamReader(shell.getInputStream(), StandardCharsets.UTF_8));
                OutputStream in = shell.getOutputStream()) {
            List<String> lines = new ArrayList<>();
            String line;
            while ((line = out.readLine()) != null && !line.equals("ready")) {
                lines.add(line);
            }
            assertEquals("ready", line, "the shell began its view and wrote its file: " + lines);
            other.write("shell-conflict.txt", "theirs\n");
            JsonNode rival = other.ctl("publish");
            assertTrue(rival.get("errno").isNull(), "the rival publishes first: " + rival);
            in.write("go\n".getBytes(StandardCharsets.UTF_8));
            in.flush();
            while ((line = out.readLine()) != null) {
                lines.add(line);
            }
            assertTrue(shell.waitFor(60, TimeUnit.SECONDS), "the shell finished");
            String status = lines.stream()
                    .filter(l -> l.startsWith("publish-status="))
                    .findFirst()
                    .orElse("(none)");
            assertNotEquals("publish-status=0", status, "echo publish > .txfs/ctl on a conflict must fail: " + lines);
            assertTrue(
                    lines.contains("mine"),
                    "the shell's view still holds its file after the refused publish: " + lines);
        } finally {
            shell.destroy();
        }
    }

    @ParameterizedTest
    @EnumSource(ViewAgent.Way.class)
    void theControlFileInsideAViewActsOnThatView(ViewAgent.Way way) {
        String name = "cf-inside-" + way.name().toLowerCase().replace('_', '-');
        try (ViewAgent a = MOUNT.agent(name, way)) {
            a.write("inside-" + name + ".txt", "x\n");
            JsonNode status = a.ctl("status");
            assertTrue(
                    status.get("errno").isNull(),
                    "status through " + MOUNT.mnt(".txfs/ctl") + " in " + way + ": " + status);
            assertEquals(
                    name, status.get("reply").path("view").asText(), "the reply names the caller's view: " + status);
            assertEquals(1, status.get("reply").path("changed_paths").asInt(), "one changed path: " + status);
        }
    }

    @Test
    void badCommandsAreRefusedWithEinvalAndTheDaemonKeepsServing() {
        try (ViewAgent a = MOUNT.agent("cf-bad", ViewAgent.Way.SHARED_ROOT)) {
            String mnt = MOUNT.mountpoint().toString();
            for (String line : List.of(
                    "frobnicate",
                    "",
                    "   ",
                    "publish force=yes",
                    "publish view=../x",
                    "begin isolation=serializable",
                    "status extra",
                    "publish\npublish")) {
                JsonNode r = a.ctl(line);
                assertEquals("EINVAL", r.get("errno").asText(), "command " + JsonQuote.of(line) + ": " + r);
            }
            JsonNode huge = a.call("ctl_junk", "mount", mnt, "kind", "huge", "size", 1 << 20);
            assertEquals("EINVAL", huge.get("errno").asText(), "a 1 MiB write to ctl: " + huge);
            JsonNode junk = a.call("ctl_junk", "mount", mnt, "kind", "binary", "size", 300);
            assertEquals("EINVAL", junk.get("errno").asText(), "binary junk written to ctl: " + junk);
            JsonNode none = a.ctl("status view=no-such-view");
            assertEquals("ENOENT", none.get("errno").asText(), "status of a view that does not exist: " + none);
            assertDaemonServes(a);
            assertTrue(a.ctl("status").get("errno").isNull(), "a good command after the bad ones");
        }
    }

    @Test
    void everyChangeUnderTxfsIsRefusedWithEperm() {
        try (ViewAgent a = MOUNT.agent("cf-readonly", ViewAgent.Way.SHARED_ROOT)) {
            assertEquals(
                    "EPERM", a.errno("write", "path", MOUNT.mnt(".txfs/new-file"), "data", "x"), "create in .txfs");
            assertEquals("EPERM", a.errno("mkdir", "path", MOUNT.mnt(".txfs/dir")), "mkdir in .txfs");
            assertEquals("EPERM", a.errno("unlink", "path", MOUNT.mnt(".txfs/ctl")), "unlink .txfs/ctl");
            assertEquals("EPERM", a.errno("rmdir", "path", MOUNT.mnt(".txfs/views")), "rmdir .txfs/views");
            assertEquals("EPERM", a.errno("chmod", "path", MOUNT.mnt(".txfs/ctl"), "mode", 0600), "chmod .txfs/ctl");
            assertEquals("EPERM", a.errno("truncate", "path", MOUNT.mnt(".txfs/ctl"), "size", 0), "truncate .txfs/ctl");
            assertEquals(
                    "EPERM",
                    a.errno("truncate", "path", MOUNT.mnt(".txfs/ctl"), "size", 10),
                    "truncate .txfs/ctl to 10");
            assertEquals(
                    "EPERM",
                    a.errno("setxattr", "path", MOUNT.mnt(".txfs/ctl"), "name", "user.x", "value", "1"),
                    "setxattr on .txfs/ctl");
            assertEquals(
                    "EPERM",
                    a.errno("rename", "path", MOUNT.mnt(".txfs/ctl"), "to", MOUNT.mnt(".txfs/ctl2")),
                    "rename inside .txfs");
            a.write("to-move.txt", "x\n");
            assertEquals(
                    "EPERM",
                    a.errno("rename", "path", MOUNT.mnt("to-move.txt"), "to", MOUNT.mnt(".txfs/moved")),
                    "rename a file into .txfs");
            assertFalse(a.list("").contains(".txfs"), ".txfs is hidden from readdir");
            a.call("unlink", "path", MOUNT.mnt("to-move.txt"));
            JsonNode status = a.ctl("status");
            assertEquals(0, status.get("reply").path("changed_paths").asInt(), ".txfs never enters a delta: " + status);
        }
    }

    @Test
    void anotherUsersViewIsRefusedWithEperm() throws Exception {
        try (ViewAgent owner = MOUNT.agent("cf-owned", ViewAgent.Way.SHARED_ROOT)) {
            owner.write("owned.txt", "root's pending file\n");
            String mnt = MOUNT.mountpoint().toString();
            List<String> commands = List.of(
                    "status view=cf-owned",
                    "publish view=cf-owned",
                    "abort view=cf-owned",
                    "begin view=cf-owned",
                    "commit view=cf-owned",
                    "status",
                    "views");
            StringBuilder input = new StringBuilder();
            for (String c : commands) {
                input.append(ViewAgent.command("ctl", "mount", mnt, "line", c + "\n"))
                        .append('\n');
            }
            Path in = MOUNT.scratch().resolve("nobody-commands.jsonl");
            Files.writeString(in, input.toString());
            Files.setPosixFilePermissions(in, PosixFilePermissions.fromString("rw-r--r--"));
            // a session of its own: a session view is its first process's, and this one must be uid 65534's
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
            assertEquals(commands.size(), lines.size(), "one reply per command from uid 65534:\n" + output);
            for (int i = 0; i < 5; i++) {
                JsonNode r = ViewAgent.JSON.readTree(lines.get(i));
                assertEquals(
                        "EPERM", r.path("result").path("errno").asText(), "uid 65534: " + commands.get(i) + " -> " + r);
            }
            JsonNode own = ViewAgent.JSON.readTree(lines.get(5));
            assertTrue(own.path("result").path("errno").isNull(), "uid 65534 may ask about its own view: " + own);
            JsonNode views = ViewAgent.JSON.readTree(lines.get(6));
            assertFalse(views.toString().contains("cf-owned"), "uid 65534's view list hides root's views: " + views);
            assertEquals("root's pending file\n", owner.read("owned.txt"), "the owner's view is intact");
            assertDaemonServes(owner);
        }
    }

    @Test
    void txfsRunWithoutAMountFailsClearly() {
        ProcessRun none = MOUNT.txfs("run", "--", "true");
        assertEquals(1, none.exitCode(), "txfs run outside any mount\n" + none.describe());
        assertTrue(none.stderr().contains("mount"), "the message says there is no mount\n" + none.describe());
        ProcessRun missing = MOUNT.txfs(
                "run", "--mount", MOUNT.scratch().resolve("no-such-dir").toString(), "--", "true");
        assertEquals(1, missing.exitCode(), "txfs run --mount of a missing directory\n" + missing.describe());
        ProcessRun notMounted = MOUNT.txfs("run", "--mount", MOUNT.backing().toString(), "--", "true");
        assertEquals(
                1,
                notMounted.exitCode(),
                "txfs run --mount of a directory that is not a mount\n" + notMounted.describe());
        ProcessRun usage = MOUNT.txfs("run", "--mount", MOUNT.mountpoint().toString());
        assertEquals(2, usage.exitCode(), "txfs run without a command is a usage error\n" + usage.describe());
        try (ViewAgent a = MOUNT.agent("cf-after-run", ViewAgent.Way.SHARED_ROOT)) {
            assertDaemonServes(a);
        }
    }

    /**
     * {@code txfs abort} removes the view: {@code txfs views} no longer lists it, and a process still
     * registered in it works in its default view again (through the shared root) or, inside a mount
     * namespace bound to the view's own root, gets ENOENT (the view's directory is gone), never EIO.
     */
    @Test
    void abortRemovesTheViewAndItsProcessesFallBackOrGetEnoent() {
        String mnt = MOUNT.mountpoint().toString();
        try (ViewAgent shared = MOUNT.agent("cf-aborted", ViewAgent.Way.SHARED_ROOT);
                ViewAgent bound = MOUNT.agent("cf-aborted", ViewAgent.Way.NAMESPACE)) {
            shared.write("aborted.txt", "pending\n");
            assertTrue(MOUNT.txfs("views", "--mount", mnt).stdout().contains("cf-aborted"), "listed before the abort");
            ProcessRun abort = MOUNT.txfs("abort", "cf-aborted", "--mount", mnt);
            assertTrue(abort.succeeded(), abort.describe());
            ProcessRun views = MOUNT.txfs("views", "--mount", mnt, "--json");
            assertTrue(views.succeeded(), views.describe());
            assertFalse(views.stdout().contains("cf-aborted"), "txfs views after txfs abort:\n" + views.stdout());
            assertFalse(shared.exists("aborted.txt"), "the aborted change is gone");
            assertEquals(
                    "still served\n",
                    shared.read("served.txt"),
                    "a process of the aborted view reads its default view");
            JsonNode status = shared.ctl("status");
            assertTrue(status.get("errno").isNull(), "status from a process of the aborted view: " + status);
            assertNotEquals(
                    "cf-aborted",
                    status.get("reply").path("view").asText(),
                    "it is in its default view now: " + status);
            assertEquals(
                    "ENOENT",
                    bound.errno("read", "path", MOUNT.mnt("served.txt")),
                    "a namespace bound to the aborted view's root");
            assertDaemonServes(shared);
        }
    }

    /**
     * Two processes sharing one descriptor on ctl (forked children of one opener) each read the reply to
     * their own command, even when the second writes before the first reads.
     */
    @Test
    void processesSharingOneDescriptorEachReadTheirOwnReply() throws Exception {
        Path script = MOUNT.scratch().resolve("shared_ctl.py");
        Files.writeString(script, """
                import os, sys
                fd = os.open(os.path.join(sys.argv[1], ".txfs/ctl"), os.O_RDWR)
                def child(cmd, go_write, wrote, go_read, tag):
                    os.read(go_write, 1)
                    os.write(fd, cmd)
                    os.write(wrote, b"w")
                    os.read(go_read, 1)
                    chunks = []
                    while True:
                        c = os.read(fd, 7)  # small reads: a reply is read in many pieces
                        if not c:
                            break
                        chunks.append(c)
                    sys.stdout.write(tag + " " + b"".join(chunks).decode().strip() + "\\n")
                    sys.stdout.flush()
                    os._exit(0)
                pipes = [os.pipe() for _ in range(6)]
                a_gw, a_w, a_gr, b_gw, b_w, b_gr = pipes
                for cmd, gw, w, gr, tag in ((b"stats\\n", a_gw, a_w, a_gr, "A"), (b"views\\n", b_gw, b_w, b_gr, "B")):
                    if os.fork() == 0:
                        child(cmd, gw[0], w[1], gr[0], tag)
                # A writes, then B writes, then A reads, then B reads
                os.write(a_gw[1], b"g"); os.read(a_w[0], 1)
                os.write(b_gw[1], b"g"); os.read(b_w[0], 1)
                os.write(a_gr[1], b"g"); os.wait()
                os.write(b_gr[1], b"g"); os.wait()
                """);
        ProcessRun r = MOUNT.run(
                MOUNT.scratch(),
                List.of(
                        "setsid",
                        "-w",
                        "/usr/bin/python3",
                        script.toString(),
                        MOUNT.mountpoint().toString()));
        assertEquals(0, r.exitCode(), r.describe());
        List<String> lines = r.stdout().lines().toList();
        assertEquals(2, lines.size(), r.describe());
        JsonNode a = ViewAgent.JSON.readTree(lines.get(0).substring(2));
        JsonNode b = ViewAgent.JSON.readTree(lines.get(1).substring(2));
        assertEquals("A", lines.get(0).substring(0, 1));
        assertEquals("stats", a.path("verb").asText(), "the first writer reads its own reply: " + lines.get(0));
        assertEquals("views", b.path("verb").asText(), "the second writer reads its own reply: " + lines.get(1));
    }

    /** Quotes a command line for a readable assertion message. */
    private static final class JsonQuote {
        static String of(String s) {
            return ViewAgent.JSON.valueToTree(s).toString();
        }
    }
}
