package io.txfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code MOUNT/.txfs/views/NAME} is closed to everyone but the view's processes at every instant: the
 * kernel's cached entries and attributes of a member's walk never let a process of another uid in (while
 * the member walks, and right after its {@code txfs run} ended), a process that leaves the view loses
 * what it kept (a working directory in the view), and a process of another uid that belongs to
 * the view (started inside it with setpriv) may enter. The intruder runs as uid 65534 in a session of its
 * own, outside any view; the view's files are world-writable, so only the view's closure can stop it.
 */
final class ViewRootAccessIT {
    private static final int NOBODY = 65534;

    @RegisterExtension
    static final MountFixture MOUNT = MountFixture.views();

    private static Path intruder;
    private static Path leaver;

    @BeforeAll
    static void scripts() {
        intruder = copyScript("intruder.py");
        leaver = copyScript("leaver.py");
        try {
            // the intruder runs as nobody: its progress files go to a directory it may write
            Path progress = Files.createDirectories(MOUNT.scratch().resolve("intruder-progress"));
            Files.setPosixFilePermissions(progress, PosixFilePermissions.fromString("rwxrwxrwx"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path copyScript(String name) {
        Path p = MOUNT.scratch().resolve(name);
        try (InputStream in = ViewRootAccessIT.class.getResourceAsStream(name)) {
            assertTrue(in != null, name + " is missing from the test resources");
            Files.copy(in, p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    private static List<String> asNobody(String... command) {
        List<String> argv =
                new ArrayList<>(List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups"));
        argv.addAll(List.of(command));
        return argv;
    }

    /**
     * Gives the view a directory and files that anyone may read and write, were the view open to them;
     * {@code root} is the way to the view's root relative to the mount ("" when the agent is in it).
     */
    private static void fillOpenToAll(ViewAgent member, String root) {
        String prefix = root.isEmpty() ? "" : root + "/";
        member.call("mkdir", "path", MOUNT.mnt(prefix + "open"));
        member.call("chmod", "path", MOUNT.mnt(prefix + "open"), "mode", 0777);
        member.write(prefix + "open/data.txt", "the view's data\n");
        member.call("chmod", "path", MOUNT.mnt(prefix + "open/data.txt"), "mode", 0666);
        member.write(prefix + "top.txt", "top\n");
        member.call("chmod", "path", MOUNT.mnt(prefix + "top.txt"), "mode", 0666);
    }

    /** The intruder, as uid 65534 in a session of its own (so outside every view). */
    private static Process startIntruder(String view, String mode) {
        List<String> argv = new ArrayList<>(List.of("setsid", "-w"));
        argv.addAll(asNobody(
                "/usr/bin/python3",
                "-u",
                intruder.toString(),
                MOUNT.mnt(".txfs/views/" + view),
                mode,
                progressFile(view).toString()));
        try {
            Process p = new ProcessBuilder(argv)
                    .directory(MOUNT.scratch().toFile())
                    .redirectError(MOUNT.scratch()
                            .resolve("intruder-" + view + ".stderr")
                            .toFile())
                    .start();
            String first =
                    new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
            assertEquals("ready", first, "the intruder starts\n" + stderrOf(view));
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Where the intruder writes its attempts so far (in the scratch directory, outside the mount). */
    private static Path progressFile(String view) {
        return MOUNT.scratch().resolve("intruder-progress").resolve(view);
    }

    /** The intruder's attempts so far, from its progress file (0 before its first round). */
    private static int attemptsSoFar(String view) {
        try {
            Path p = progressFile(view);
            return Files.exists(p) ? Integer.parseInt(Files.readString(p).trim()) : 0;
        } catch (IOException | NumberFormatException e) {
            return 0; // replaced while read: the next look sees it
        }
    }

    /** Ends the intruder (closing its stdin ends its loop) and returns its report. */
    private static JsonNode finish(Process p, String view) {
        try {
            p.getOutputStream().close();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("the intruder did not finish within 60 s\n" + stderrOf(view));
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            assertEquals(0, p.exitValue(), "intruder output: " + out + "\n" + stderrOf(view));
            return ViewAgent.JSON.readTree(out.lines().reduce((a, b) -> b).orElse("{}"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String stderrOf(String view) {
        try {
            Path p = MOUNT.scratch().resolve("intruder-" + view + ".stderr");
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static void assertKeptOut(JsonNode report, String when) {
        assertTrue(report.path("attempts").asInt() > 0, "the intruder tried " + when + ": " + report);
        assertEquals(0, report.path("won").asInt(), "uid " + NOBODY + " got into the view " + when + ": " + report);
        report.path("errnos")
                .fieldNames()
                .forEachRemaining(e -> assertTrue(
                        e.equals("ENOENT") || e.equals("EACCES"),
                        "a non-member is refused with ENOENT or EACCES " + when + ", not " + e + ": " + report));
    }

    @Test
    void anotherUidNeverGetsInWhileAMemberWalksTheViewRoot() {
        String view = "vr-hammer";
        String root = ".txfs/views/" + view;
        try (ViewAgent member = MOUNT.agent(view, ViewAgent.Way.SHARED_ROOT)) {
            fillOpenToAll(member, root);
            Process p = startIntruder(view, "loop");
            JsonNode report;
            try {
                // every round puts the root's entry, the directory's and the file's entries and attributes,
                // and the file's pages into the kernel's caches, while the intruder walks the same paths: at
                // least 300 rounds, and on until the intruder made ten rounds of its own (a loaded machine
                // may give it few turns; the cap only stops a stuck intruder from holding the test forever)
                for (int round = 0; round < 300 || (attemptsSoFar(view) < 110 && round < 200_000); round++) {
                    assertEquals(
                            "the view's data\n",
                            member.read(root + "/open/data.txt"),
                            "the member reads, round " + round);
                    member.stat(root + "/open");
                    member.list(root + "/open");
                    member.stat(root);
                }
            } finally {
                report = finish(p, view);
            }
            System.err.println("ViewRootAccessIT: intruder while a member walked: " + report);
            assertTrue(
                    report.path("attempts").asInt() >= 110,
                    "the intruder made at least ten rounds meanwhile: " + report);
            assertKeptOut(report, "while a member walked the view root");
            assertEquals(List.of("data.txt"), member.list(root + "/open"), "nothing of the intruder's is in the view");
            assertEquals("the view's data\n", member.read(root + "/open/data.txt"), "the file is unchanged");
        }
    }

    @Test
    void anotherUidIsRefusedTheMomentTheOwnersRunEnds() {
        String view = "vr-ended";
        String root = ".txfs/views/" + view;
        try (ViewAgent member = MOUNT.agent(view, ViewAgent.Way.SHARED_ROOT)) {
            fillOpenToAll(member, root);
        }
        for (int round = 0; round < 5; round++) {
            // the owner's command walks the view root and ends; the view is kept
            String mnt = MOUNT.mountpoint().toString();
            ProcessRun owner = MOUNT.txfs(
                    "run",
                    "--mount",
                    mnt,
                    "--view",
                    view,
                    "--namespace",
                    "never",
                    "--",
                    "/bin/sh",
                    "-c",
                    "cat \"$0/open/data.txt\" \"$0/top.txt\" && ls \"$0\" \"$0/open\" > /dev/null",
                    MOUNT.mnt(root));
            assertEquals(0, owner.exitCode(), owner.describe());
            assertEquals("the view's data\ntop\n", owner.stdout(), owner.describe());
            assertKeptOut(
                    finish(startIntruder(view, "once"), view),
                    "right after the owner's txfs run ended (round " + round + ")");
        }
    }

    @Test
    void aProcessOfAnotherUidInsideTheViewMayEnterAndLosesItsWayInWhenItLeaves() {
        String view = "vr-member";
        String root = ".txfs/views/" + view;
        try (ViewAgent member = MOUNT.agent(view, ViewAgent.Way.SHARED_ROOT)) {
            fillOpenToAll(member, root);
            // the view it leaves for is its own, begun outside every view (a session of its own); a view it
            // began by a new name from inside would be a child of the member's view, which only its owner may
            // have (docs/views.md, "Nested views")
            List<String> own = new ArrayList<>(List.of("setsid", "-w"));
            own.addAll(asNobody(
                    "/usr/bin/python3",
                    "-c",
                    "import os,sys; fd=os.open(sys.argv[1], os.O_RDWR); os.write(fd, b'begin view=vr-left-by-nobody\\n')",
                    MOUNT.mnt(".txfs/ctl")));
            ProcessRun begun = MOUNT.run(MOUNT.scratch(), own);
            assertEquals(0, begun.exitCode(), "nobody begins a view of its own: " + begun.describe());
            JsonNode run = member.call(
                    "run",
                    "argv",
                    asNobody(
                            "/usr/bin/python3",
                            leaver.toString(),
                            MOUNT.mnt(root + "/open"),
                            MOUNT.mnt(".txfs/ctl"),
                            "vr-left-by-nobody"));
            assertEquals(0, run.get("code").asInt(), "leaver: " + run);
            JsonNode r;
            try {
                r = ViewAgent.JSON.readTree(run.get("out").asText());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            JsonNode before = r.get("before");
            before.fieldNames()
                    .forEachRemaining(k -> assertEquals(
                            "ok",
                            before.get(k).asText(),
                            "uid " + NOBODY + " started inside the view is a member (" + k + "): " + r));
            assertEquals("EPERM", r.get("nest").asText(), "a member of another uid begins no child of the view: " + r);
            assertEquals("ok", r.get("left").asText(), "the leaver enters its own view: " + r);
            JsonNode after = r.get("after");
            after.fieldNames()
                    .forEachRemaining(k -> assertEquals(
                            "EACCES",
                            after.get(k).asText(),
                            "after leaving, what it kept of the view is refused (" + k + "): " + r));
            assertEquals(List.of("data.txt"), member.list(root + "/open"), "the leaver created nothing in the view");
        }
    }

    /**
     * The namespace way in (`txfs run` binds the view root over the mountpoint) does not suffer from
     * refused intruders: the bound root's dentry stays hashed, so a process whose working directory is the
     * view root keeps a working getcwd().
     */
    @Test
    void refusedIntrudersLeaveTheNamespaceRootAlone() {
        String view = "vr-namespace";
        try (ViewAgent ns = MOUNT.agent(view, ViewAgent.Way.NAMESPACE)) {
            fillOpenToAll(ns, "");
            ns.call("chdir", "path", MOUNT.mountpoint().toString());
            assertEquals(MOUNT.mountpoint().toString(), ns.call("getcwd").asText(), "getcwd at the view root");
            for (int round = 0; round < 3; round++) {
                assertKeptOut(finish(startIntruder(view, "once"), view), "with the view in a namespace");
                assertEquals(
                        MOUNT.mountpoint().toString(),
                        ns.call("getcwd").asText(),
                        "getcwd at the view root after a refused intruder (round " + round + ")");
                assertEquals("the view's data\n", ns.read("open/data.txt"), "the namespace still reads its view");
            }
        }
    }
}
