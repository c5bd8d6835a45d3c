package io.txfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code txfs run --commit/--publish} act only when the command succeeds (a failing command's view is
 * kept and named), and processes outside any view work in one view per Linux session.
 */
final class ViewRunIT {
    @RegisterExtension
    static final MountFixture MOUNT = MountFixture.views();

    private static ProcessRun run(String... args) {
        return ProcessRun.run(MountFixture.command(args), MOUNT.scratch(), Map.of(), MountFixture.CLI_DEADLINE);
    }

    /** A build tool wraps each step in its own transaction: kept or dropped as a whole at the step's exit. */
    @Test
    void onSuccessAndOnFailureDecideTheStepsTransaction() {
        String mnt = MOUNT.mountpoint().toString();
        ProcessRun failed = run(
                "run",
                "--mount",
                mnt,
                "--view",
                "step-fail",
                "--on-failure",
                "abort",
                "--",
                "/bin/sh",
                "-c",
                "echo half > \"$0/step-fail.txt\"; exit 4",
                mnt);
        assertEquals(4, failed.exitCode(), failed.describe());
        assertTrue(failed.stderr().contains("dropped view step-fail"), failed.describe());
        ProcessRun views = run("views", "--mount", mnt);
        assertFalse(views.stdout().contains("step-fail"), "the failed step's view is gone\n" + views.describe());

        ProcessRun ok = run(
                "run",
                "--mount",
                mnt,
                "--view",
                "step-ok",
                "--on-success",
                "publish",
                "--on-failure",
                "abort",
                "--",
                "/bin/sh",
                "-c",
                "echo done > \"$0/step-ok.txt\"",
                mnt);
        assertEquals(0, ok.exitCode(), ok.describe());
        ProcessRun dropped = run(
                "run",
                "--mount",
                mnt,
                "--view",
                "step-dry",
                "--on-success",
                "abort",
                "--",
                "/bin/sh",
                "-c",
                "echo dry > \"$0/step-dry.txt\"",
                mnt);
        assertEquals(0, dropped.exitCode(), dropped.describe());
        try (ViewAgent other = MOUNT.agent("step-watch", ViewAgent.Way.SHARED_ROOT, "read-committed")) {
            assertEquals("done\n", other.read("step-ok.txt"), "--on-success publish published it");
            assertFalse(other.exists("step-fail.txt"));
            assertFalse(other.exists("step-dry.txt"), "--on-success abort: a dry run leaves nothing");
        }
        ProcessRun both = run("run", "--mount", mnt, "--publish", "--on-success", "keep", "--", "/bin/true");
        assertEquals(2, both.exitCode(), "--on-success and --publish together are refused\n" + both.describe());
    }

    @Test
    void commitAfterASucceedingCommandKeepTheViewOfAFailingOne() {
        String mnt = MOUNT.mountpoint().toString();
        ProcessRun ok = run(
                "run",
                "--mount",
                mnt,
                "--view",
                "run-ok",
                "--commit",
                "--",
                "/bin/sh",
                "-c",
                "echo committed > \"$0/run-ok.txt\"",
                mnt);
        assertEquals(0, ok.exitCode(), ok.describe());
        assertTrue(
                Files.exists(MOUNT.backing().resolve("run-ok.txt")),
                "--commit put the file into the backing directory\n" + ok.describe());

        ProcessRun failed = run(
                "run",
                "--mount",
                mnt,
                "--view",
                "run-failed",
                "--publish",
                "--",
                "/bin/sh",
                "-c",
                "echo kept > \"$0/run-failed.txt\"; exit 3",
                mnt);
        assertEquals(3, failed.exitCode(), "txfs run returns the command's exit status\n" + failed.describe());
        assertTrue(failed.stderr().contains("run-failed"), "the kept view is named\n" + failed.describe());
        try (ViewAgent other = MOUNT.agent("run-other", ViewAgent.Way.SHARED_ROOT, "read-committed");
                ViewAgent again = MOUNT.agent("run-failed", ViewAgent.Way.NAMESPACE)) {
            assertFalse(other.exists("run-failed.txt"), "a failing command's view is not published");
            assertEquals("committed\n", other.read("run-ok.txt"), "the committed file is published too");
            assertEquals("kept\n", again.read("run-failed.txt"), "the failing command's view keeps its change");
        }
    }

    @Test
    void processesOutsideAnyViewWorkInOneViewPerSession() {
        String mnt = MOUNT.mountpoint().toString();
        ProcessRun write = MOUNT.run(
                MOUNT.scratch(),
                List.of(
                        "setsid",
                        "-w",
                        "/bin/sh",
                        "-c",
                        "echo from session one > \"$0/session.txt\" && cat \"$0/session.txt\"",
                        mnt));
        assertEquals("from session one\n", write.stdout(), "a session reads its own write\n" + write.describe());
        ProcessRun read = MOUNT.run(
                MOUNT.scratch(),
                List.of(
                        "setsid",
                        "-w",
                        "/bin/sh",
                        "-c",
                        "test -e \"$0/session.txt\" && echo visible || echo absent",
                        mnt));
        assertEquals("absent\n", read.stdout(), "another session does not see it\n" + read.describe());
        assertFalse(Files.exists(MOUNT.backing().resolve("session.txt")), "nor does the backing directory");
        ProcessRun views = MOUNT.txfs("views", "--mount", mnt, "--json");
        assertTrue(
                views.succeeded() && views.stdout().contains("session-"),
                "the session's view is listed\n" + views.describe());
    }

    /**
     * A session that only read never gets a view (it begins at the first change); one that wrote and then
     * published everything holds nothing, and once its processes are gone its view is dropped (when the
     * next session appears), so `txfs views` lists what holds changes. A session that still holds changes
     * keeps its view.
     */
    @Test
    void aSessionThatEndedWithoutChangesLeavesNoViewBehind() {
        String mnt = MOUNT.mountpoint().toString();
        ProcessRun reader = MOUNT.run(
                MOUNT.scratch(), List.of("setsid", "-w", "/bin/sh", "-c", "ls \"$0\" > /dev/null && echo $$", mnt));
        assertEquals(0, reader.exitCode(), reader.describe());
        String readerView = "session-" + reader.stdout().trim();
        assertFalse(viewNames().contains(readerView), "a session that only read has no view: " + viewNames());
        String cli = String.join(" ", MountFixture.command());
        ProcessRun published = MOUNT.run(
                MOUNT.scratch(),
                List.of(
                        "setsid",
                        "-w",
                        "/bin/sh",
                        "-c",
                        "cd \"$0\" && echo p > session-published.txt && " + cli + " publish 2>/dev/null && echo $$",
                        mnt));
        assertEquals(0, published.exitCode(), published.describe());
        String publishedView = "session-" + published.stdout().trim();
        ProcessRun writer = MOUNT.run(
                MOUNT.scratch(),
                List.of("setsid", "-w", "/bin/sh", "-c", "echo kept > \"$0/session-kept.txt\" && echo $$", mnt));
        assertEquals(0, writer.exitCode(), writer.describe());
        String writerView = "session-" + writer.stdout().trim();
        // a new session makes the daemon look for ended ones; keep making them until it has looked
        boolean dropped = MountFixture.await(Duration.ofSeconds(20), () -> {
            MOUNT.run(MOUNT.scratch(), List.of("setsid", "-w", "/bin/ls", mnt));
            return !viewNames().contains(publishedView);
        });
        assertTrue(dropped, publishedView + " is dropped once its session ended: " + viewNames());
        assertTrue(viewNames().contains(writerView), "the session that wrote keeps its view: " + viewNames());
    }

    private static List<String> viewNames() {
        ProcessRun views = MOUNT.txfs("views", "--mount", MOUNT.mountpoint().toString(), "--json");
        assertTrue(views.succeeded(), views.describe());
        List<String> names = new ArrayList<>();
        try {
            for (JsonNode v : ViewAgent.JSON.readTree(views.stdout()).path("views")) {
                names.add(v.path("name").asText());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return names;
    }

    /**
     * SPEC: a session view belongs to the session leader's uid, not to whichever process of the session
     * touched the mount first. Here root (a child of the leader) makes the first access, after the leader
     * dropped to uid 65534: the view is 65534's, so the user keeps control of it.
     */
    @Test
    void aSessionViewBelongsToTheSessionLeadersUid() throws Exception {
        String mnt = MOUNT.mountpoint().toString();
        String leader = String.join(
                "\n",
                "import os, sys",
                "r, w = os.pipe()",
                "child = os.fork()",
                "if child == 0:",
                "    os.close(w)",
                "    os.read(r, 1)",
                "    with open(os.path.join(sys.argv[1], 'session-owner.txt'), 'w') as f:",
                "        f.write('written by root\\n')",
                "    os._exit(0)",
                "os.close(r)",
                "os.setgid(65534)",
                "os.setuid(65534)",
                "os.write(w, b'x')",
                "_, status = os.waitpid(child, 0)",
                "print(os.getsid(0))",
                "sys.exit(os.waitstatus_to_exitcode(status))");
        ProcessRun p = MOUNT.run(MOUNT.scratch(), List.of("setsid", "-w", "/usr/bin/python3", "-c", leader, mnt));
        assertEquals(0, p.exitCode(), p.describe());
        String view = "session-" + p.stdout().trim();
        ProcessRun views = MOUNT.txfs("views", "--mount", mnt, "--json");
        assertTrue(views.succeeded(), views.describe());
        JsonNode owner = null;
        for (JsonNode v : ViewAgent.JSON.readTree(views.stdout()).path("views")) {
            if (v.path("name").asText().equals(view)) {
                owner = v.path("owner_uid");
            }
        }
        assertTrue(owner != null, view + " is listed\n" + views.describe());
        assertEquals(
                65534,
                owner.asInt(),
                "the session leader's uid owns " + view + ", not root who touched it first\n" + views.describe());
    }

    /**
     * The shared root has one kernel dentry per name; a lookup of that name by another view replaces it,
     * and every process whose working directory was below it is left in an unhashed directory (getcwd()
     * fails with ENOENT, /proc/PID/cwd reads "(deleted)"). {@code txfs run} through a namespace must not
     * do that to the shell it was started from: it never walks the shared root as the new view.
     */
    @Test
    void runInANamespaceLeavesTheCallersWorkingDirectoryIntact() {
        String mnt = MOUNT.mountpoint().toString();
        ProcessRun mk =
                run("run", "--mount", mnt, "--view", "cwd-kept-mk", "--publish", "--", "mkdir", mnt + "/cwd-kept");
        assertEquals(0, mk.exitCode(), mk.describe());
        List<String> cmd = new ArrayList<>(List.of(
                "setsid",
                "-w",
                "/bin/sh",
                "-c",
                "cd \"$0/cwd-kept\" && \"$@\" && /usr/bin/python3 -c 'import os; print(os.getcwd())'",
                mnt));
        cmd.addAll(MountFixture.command(
                "run",
                "--view",
                "cwd-kept-run",
                "--namespace",
                "always",
                "--",
                "/bin/sh",
                "-c",
                "pwd; echo made > made-here"));
        ProcessRun r = MOUNT.run(MOUNT.scratch(), cmd);
        assertEquals(0, r.exitCode(), "the caller's getcwd() still works after txfs run\n" + r.describe());
        assertEquals(
                mnt + "/cwd-kept\n" + mnt + "/cwd-kept\n",
                r.stdout(),
                "the command started in the same directory, and the caller is still in it\n" + r.describe());
        try (ViewAgent v = MOUNT.agent("cwd-kept-run", ViewAgent.Way.SHARED_ROOT)) {
            assertEquals("made\n", v.read("cwd-kept/made-here"), "the command ran in its view");
        }
    }

    @Test
    void aWorkingDirectoryPendingInAnotherViewIsReportedNotSilentlyReplaced() {
        String mnt = MOUNT.mountpoint().toString();
        for (String ns : List.of("never", "always")) {
            List<String> cmd = new ArrayList<>(List.of(
                    "setsid",
                    "-w",
                    "/bin/sh",
                    "-c",
                    "mkdir \"$0/pending-$1\" && cd \"$0/pending-$1\" && shift && exec \"$@\"",
                    mnt,
                    ns));
            cmd.addAll(MountFixture.command(
                    "run",
                    "--mount",
                    mnt,
                    "--view",
                    "cwd-" + ns,
                    "--namespace",
                    ns,
                    "--",
                    "/bin/sh",
                    "-c",
                    "pwd > \"$0/ran-$1\"",
                    mnt,
                    ns));
            ProcessRun r = MOUNT.run(MOUNT.scratch(), cmd);
            assertEquals(
                    1,
                    r.exitCode(),
                    "a start directory missing in the new view is a failure (" + ns + ")\n" + r.describe());
            assertTrue(r.stderr().contains("does not exist in view cwd-" + ns), "and says why\n" + r.describe());
            try (ViewAgent v = MOUNT.agent("cwd-" + ns, ViewAgent.Way.SHARED_ROOT)) {
                assertFalse(v.exists("ran-" + ns), "the command never ran (" + ns + ")");
            }
        }
    }
}
