package io.txfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * How views begin and end around shells and {@code txfs run}, on a real mount with real shells in their
 * own Linux sessions: a view made by {@code txfs run} ends with its command unless it holds changes, a
 * {@code txfs run} inside a view is refused, a shell that only reads (the CLI included) makes no session
 * view, a session view is read-committed, and {@code txfs refresh} rebases a view or refuses with the
 * conflicting paths.
 */
final class ViewLifecycleIT {
    private static final int NOBODY = 65534;
    private static final Pattern KEPT_VIEW = Pattern.compile("txfs: view (v[0-9]+-[0-9]+) keeps the command's changes");

    @RegisterExtension
    static final MountFixture MOUNT = MountFixture.views().seeded(b -> {
        try {
            Files.writeString(b.resolve("f"), "base f\n");
            Files.createDirectories(b.resolve("sub"));
            Files.writeString(b.resolve("sub/s"), "base s\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    });

    private static Path readableJar;

    @BeforeAll
    static void copyJar() throws IOException {
        readableJar = MountFixture.readableJarCopy(MOUNT.scratch().resolve("jar"));
    }

    private static String mnt() {
        return MOUNT.mountpoint().toString();
    }

    /** The CLI as one shell word list, for command lines run by a shell. */
    private static String cli() {
        return MountFixture.command().stream().map(ViewLifecycleIT::quote).collect(Collectors.joining(" "));
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    private static ProcessRun txfs(String... args) {
        return MOUNT.txfs(args);
    }

    /** Name to the view's row of {@code txfs views --json} (root's CLI: every view). */
    private static Map<String, JsonNode> views() {
        ProcessRun r = txfs("views", "--mount", mnt(), "--json");
        assertTrue(r.succeeded(), r.describe());
        return parseViews(r.stdout());
    }

    private static Map<String, JsonNode> parseViews(String json) {
        Map<String, JsonNode> out = new HashMap<>();
        try {
            for (JsonNode v : ViewAgent.JSON.readTree(json).path("views")) {
                out.put(v.path("name").asText(), v);
            }
        } catch (IOException e) {
            throw new AssertionError("views --json is not JSON: " + json, e);
        }
        return out;
    }

    private static ProcessRun run(String... args) {
        return ProcessRun.run(MountFixture.command(args), MOUNT.scratch(), Map.of(), MountFixture.CLI_DEADLINE);
    }

    // ------------------------------------------------------------------ 1. views made by txfs run

    @Test
    void aViewMadeByRunEndsWithItsCommandUnlessItHoldsChanges() {
        Set<String> before = views().keySet();
        ProcessRun reader = run("run", "--mount", mnt(), "--", "/bin/cat", mnt() + "/f");
        assertEquals(0, reader.exitCode(), reader.describe());
        assertEquals("base f\n", reader.stdout());
        assertTrue(
                reader.stderr().contains("nothing pending in view")
                        && reader.stderr().contains("removed"),
                reader.describe());
        assertFalse(
                reader.stderr().contains("holds the command's changes")
                        || reader.stderr().contains("keeps"),
                reader.describe());
        ProcessRun failing = run("run", "--mount", mnt(), "--", "/bin/sh", "-c", "exit 4");
        assertEquals(4, failing.exitCode(), "the command's status\n" + failing.describe());
        assertTrue(failing.stderr().contains("status 4") && failing.stderr().contains("removed"), failing.describe());
        ProcessRun undone = run(
                "run", "--mount", mnt(), "--", "/bin/sh", "-c", "echo t > \"$0/tmp.txt\" && rm \"$0/tmp.txt\"", mnt());
        assertEquals(0, undone.exitCode(), undone.describe());
        assertTrue(undone.stderr().contains("removed"), "made and undone is nothing pending\n" + undone.describe());
        assertEquals(before, views().keySet(), "none of the three left a view");

        ProcessRun writer =
                run("run", "--mount", mnt(), "--", "/bin/sh", "-c", "echo kept > \"$0/run-kept.txt\"", mnt());
        assertEquals(0, writer.exitCode(), writer.describe());
        Matcher m = KEPT_VIEW.matcher(writer.stderr());
        assertTrue(m.find(), "the kept view is named\n" + writer.describe());
        String name = m.group(1);
        for (String how :
                List.of("txfs status " + name, "txfs diff " + name, "txfs publish " + name, "txfs abort " + name)) {
            assertTrue(writer.stderr().contains(how), "the message says how: " + how + "\n" + writer.describe());
        }
        JsonNode row = views().get(name);
        assertEquals("orphaned", row.path("state").asText(), row.toString());
        assertEquals(1, row.path("changed_paths").asLong(), row.toString());
        assertEquals(5, row.path("changed_bytes").asLong(), row.toString());
        assertTrue(row.has("age_seconds"), row.toString());

        ProcessRun publish = txfs("publish", "--mount", mnt(), name);
        assertEquals(0, publish.exitCode(), publish.describe());
        assertFalse(
                views().containsKey(name),
                "an orphaned run view emptied by its publish is removed: " + views().keySet());
        ProcessRun seen = run("run", "--mount", mnt(), "--", "/bin/cat", mnt() + "/run-kept.txt");
        assertEquals("kept\n", seen.stdout(), "its change was published\n" + seen.describe());

        ProcessRun named = run("run", "--mount", mnt(), "--view", "named-empty", "--", "/bin/true");
        assertEquals(0, named.exitCode(), named.describe());
        assertFalse(named.stderr().contains("keeps the command's changes"), named.describe());
        assertTrue(views().containsKey("named-empty"), "a view the user named stays");
        assertEquals(0, txfs("abort", "--mount", mnt(), "named-empty").exitCode());
    }

    @Test
    void runWithPublishRemovesTheViewItMadeOnceItIsPublished() {
        Set<String> before = views().keySet();
        ProcessRun r = run(
                "run",
                "--mount",
                mnt(),
                "--publish",
                "--",
                "/bin/sh",
                "-c",
                "echo p > \"$0/run-published.txt\"",
                mnt());
        assertEquals(0, r.exitCode(), r.describe());
        assertTrue(r.stderr().contains("publish view") && r.stderr().contains("removed"), r.describe());
        assertEquals(before, views().keySet(), "no view left behind");
    }

    // ------------------------------------------------------------------ 2. txfs run inside a view

    /**
     * {@code txfs run} from a command running in a view begins a child of that view (docs/views.md, "Nested
     * views"): the child reads the outer view's pending files, its publish goes into the outer view only; naming
     * an existing top-level view from there is refused (it would work beside the outer view); the outer
     * view's own name enters it again.
     */
    @Test
    void runInsideAViewBeginsAChildOfIt() {
        assertEquals(
                0,
                txfs("run", "--mount", mnt(), "--view", "elsewhere", "--", "/bin/true")
                        .exitCode());
        String inner = "cat \"$0/outer.txt\" && echo inner > \"$0/inner.txt\"";
        String script = "echo outer > \"$0/outer.txt\"; "
                + cli() + " run --mount \"$0\" --on-success publish -- /bin/sh -c '" + inner
                + "' \"$0\"; echo child=$?; "
                + "echo merged=$(cat \"$0/inner.txt\"); "
                + cli() + " run --mount \"$0\" --view elsewhere -- /bin/true; echo sibling=$?; "
                + cli() + " run --mount \"$0\" --namespace never --view outer -- /bin/true; echo same=$?";
        ProcessRun r = run(
                "run",
                "--mount",
                mnt(),
                "--view",
                "outer",
                "--namespace",
                "never",
                "--",
                "/bin/sh",
                "-c",
                script,
                mnt());
        assertEquals(0, r.exitCode(), r.describe());
        assertTrue(r.stdout().contains("outer\nchild=0"), "the child read the outer view's file\n" + r.describe());
        assertTrue(r.stdout().contains("merged=inner"), "its publish went into the outer view\n" + r.describe());
        assertTrue(r.stderr().contains("merged into view outer"), r.describe());
        assertTrue(r.stdout().contains("sibling=1"), r.describe());
        assertTrue(r.stderr().contains("already in view outer"), r.describe());
        assertTrue(
                r.stdout().contains("same=0"), "running in the caller's own view again is no sibling\n" + r.describe());
        Map<String, JsonNode> after = views();
        assertFalse(
                after.keySet().stream().anyMatch(n -> n.matches("v[0-9]+-[0-9]+")),
                "the child ended with its command, its changes merged: " + after.keySet());
        assertFalse(Files.exists(MOUNT.mountpoint().resolve("inner.txt")), "nothing was published");
        assertEquals(0, txfs("abort", "--mount", mnt(), "outer").exitCode());
        assertEquals(0, txfs("abort", "--mount", mnt(), "elsewhere").exitCode());
    }

    /**
     * {@code txfs run --view X} from a command already running in X inside X's mount namespace: the mountpoint
     * there already is X's root, so binding X's root over it again would make a directory its own ancestor
     * (ELOOP: "could not enter view"). The command inherits the view instead.
     */
    @Test
    void runInTheSameViewFromItsNamespaceInheritsIt() {
        String script = cli()
                + " run --mount \"$0\" --view ns-outer -- /bin/sh -c 'echo inner > \"$0/ns-inner.txt\"' \"$0\"; echo same=$?";
        ProcessRun r = run(
                "run",
                "--mount",
                mnt(),
                "--view",
                "ns-outer",
                "--namespace",
                "always",
                "--",
                "/bin/sh",
                "-c",
                script,
                mnt());
        try {
            assertEquals(0, r.exitCode(), r.describe());
            assertTrue(r.stdout().contains("same=0"), r.describe());
            assertFalse(r.stderr().contains("could not enter"), r.describe());
            assertEquals(
                    1, views().get("ns-outer").path("changed_paths").asLong(), "the inner command wrote into ns-outer");
            assertFalse(Files.exists(Path.of(mnt(), "ns-inner.txt")), "and nowhere else");
        } finally {
            txfs("abort", "--mount", mnt(), "ns-outer");
        }
    }

    // ------------------------------------------------------------------ 3. plain shells make no view until they write

    /**
     * A terminal (script(1): a pty, a new session) in the mount: the CLI's reads, ls, cat and cd make no
     * session view; the first write does. The listings are taken inside the live session.
     */
    @Test
    void aPlainShellMakesNoSessionViewUntilItWrites() throws IOException {
        Path out = MOUNT.scratch().resolve("plain-shell");
        Files.createDirectories(out);
        String body = "cd \"$1\" || exit 9; sid=$(ps -o sid= -p $$ | tr -d ' '); echo $sid > \"$2/sid\"; "
                + cli() + " status > \"$2/status\" 2>&1; " + cli() + " views >/dev/null; " + cli() + " log >/dev/null; "
                + "ls > /dev/null; cat f > /dev/null; cd sub && cat s > /dev/null && cd ..; "
                + cli() + " views --json > \"$2/before\"; "
                + "echo w > \"written-$sid.txt\"; " + cli() + " views --json > \"$2/after\"";
        ProcessRun r = MOUNT.run(
                MOUNT.scratch(),
                List.of(
                        "script",
                        "-qec",
                        "/bin/sh -c " + quote(body) + " sh " + quote(mnt()) + " " + quote(out.toString()),
                        "/dev/null"));
        assertEquals(0, r.exitCode(), r.describe());
        String sid = Files.readString(out.resolve("sid")).trim();
        assertTrue(sid.matches("[0-9]+"), sid);
        String view = "session-" + sid;
        assertTrue(
                Files.readString(out.resolve("status")).contains("0 paths"), Files.readString(out.resolve("status")));
        assertFalse(
                parseViews(Files.readString(out.resolve("before"))).containsKey(view),
                "reads made no view: " + Files.readString(out.resolve("before")));
        JsonNode row = parseViews(Files.readString(out.resolve("after"))).get(view);
        assertTrue(row != null, "the first write made the view: " + Files.readString(out.resolve("after")));
        assertEquals("read-committed", row.path("isolation").asText(), row.toString());
        assertEquals(1, row.path("changed_paths").asLong(), row.toString());
        assertEquals(0, txfs("abort", "--mount", mnt(), view).exitCode());
    }

    // ------------------------------------------------------------------ 4. session views read-commit

    @Test
    void aSessionViewSeesOthersPublishesAtItsNextAccessExceptWhereItChanged() {
        try (Shell a = new Shell();
                Shell b = new Shell()) {
            a.ok("cd " + quote(mnt()));
            b.ok("cd " + quote(mnt()));
            assertEquals("base f", a.ok("cat f"));
            a.ok("echo mine > rc-mine.txt");
            assertTrue(a.ok(cli() + " status").contains("A  rc-mine.txt"));

            // another view publishes: the session sees it at its next access, without a refresh
            ProcessRun pub = run(
                    "run",
                    "--mount",
                    mnt(),
                    "--view",
                    "rc-other",
                    "--publish",
                    "--",
                    "/bin/sh",
                    "-c",
                    "echo theirs > \"$0/f\" && echo new > \"$0/rc-new.txt\" && echo other > \"$0/rc-mine.txt\"",
                    mnt());
            assertEquals(0, pub.exitCode(), pub.describe());
            assertEquals("theirs", a.ok("cat f"), "another view's publish shows at the next access");
            assertEquals("new", a.ok("cat rc-new.txt"));
            assertTrue(a.ok("ls").contains("rc-new.txt"));
            assertEquals("mine", a.ok("cat rc-mine.txt"), "a path the session changed keeps the session's version");
            assertEquals("theirs", b.ok("cat f"), "and so does a session that never wrote");

            // the conflict shows at publish and at refresh: exit 3, the path listed, nothing changed
            Shell.Result publish = a.run(cli() + " publish");
            assertEquals(3, publish.status(), publish.out());
            assertTrue(publish.out().contains("conflict: /rc-mine.txt"), publish.out());
            Shell.Result refresh = a.run(cli() + " refresh");
            assertEquals(3, refresh.status(), refresh.out());
            assertTrue(refresh.out().contains("conflict: /rc-mine.txt"), refresh.out());
            assertEquals("mine", a.ok("cat rc-mine.txt"));
            String view = "session-" + a.ok("echo $$"); // setsid made the shell its session's leader
            assertEquals("read-committed", views().get(view).path("isolation").asText(), views().toString());
            a.ok(cli() + " abort " + view);

            // after its own publish the session goes on from a state that includes it
            a.ok("echo second > rc-second.txt");
            a.ok(cli() + " publish");
            assertEquals("second", a.ok("cat rc-second.txt"));
            assertEquals("second", b.ok("cat rc-second.txt"), "published for everyone");
            b.ok("echo from-b > rc-b.txt");
            b.ok(cli() + " publish");
            assertEquals("from-b", a.ok("cat rc-b.txt"), "and sees later publishes on top of it");
            a.ok("echo third >> rc-second.txt");
            assertEquals("second\nthird", a.ok("cat rc-second.txt"), "its next change starts from what it published");
            a.ok(cli() + " publish");
            assertEquals("second\nthird", b.ok("cat rc-second.txt"));
        }
    }

    // ------------------------------------------------------------------ 5. txfs refresh

    @Test
    void refreshRebasesASnapshotViewOrRefusesWithTheConflictingPaths() {
        try (ViewAgent snap = MOUNT.agent("refresh-snap", ViewAgent.Way.NAMESPACE, "snapshot")) {
            snap.write("snap-mine.txt", "mine\n");
            snap.write("sub/snap-edit.txt", "edit\n");
            assertFalse(snap.exists("refresh-new.txt"), "not there yet (and its absence may be cached)");
            assertEquals(
                    List.of("s", "snap-edit.txt"),
                    snap.list("sub").stream().sorted().toList());
            ProcessRun pub = run(
                    "run",
                    "--mount",
                    mnt(),
                    "--view",
                    "refresh-pub",
                    "--publish",
                    "--",
                    "/bin/sh",
                    "-c",
                    "echo new > \"$0/refresh-new.txt\" && echo added > \"$0/sub/added.txt\"",
                    mnt());
            assertEquals(0, pub.exitCode(), pub.describe());
            assertFalse(snap.exists("refresh-new.txt"), "a snapshot view keeps its version");

            ProcessRun refresh = txfs("refresh", "--mount", mnt(), "refresh-snap");
            assertEquals(0, refresh.exitCode(), refresh.describe());
            assertTrue(refresh.stderr().contains("refreshed view refresh-snap"), refresh.describe());
            assertEquals("new\n", snap.read("refresh-new.txt"), "the kernel's caches of the view were dropped");
            assertTrue(snap.list("sub").contains("added.txt"), "the cached listing too: " + snap.list("sub"));
            assertEquals("mine\n", snap.read("snap-mine.txt"), "its pending changes stay on top");

            // a conflict: refused with the path, nothing changed
            ProcessRun clash = run(
                    "run",
                    "--mount",
                    mnt(),
                    "--view",
                    "refresh-clash",
                    "--publish",
                    "--",
                    "/bin/sh",
                    "-c",
                    "echo theirs > \"$0/snap-mine.txt\" && echo more > \"$0/refresh-more.txt\"",
                    mnt());
            assertEquals(0, clash.exitCode(), clash.describe());
            ProcessRun refused = txfs("refresh", "--mount", mnt(), "refresh-snap");
            assertEquals(3, refused.exitCode(), refused.describe());
            assertTrue(refused.stderr().contains("conflict: /snap-mine.txt"), refused.describe());
            assertEquals("mine\n", snap.read("snap-mine.txt"));
            assertFalse(snap.exists("refresh-more.txt"), "the refused refresh did not move the view");

            // the control-file verb, from the view itself
            JsonNode ctl = snap.ctl("refresh");
            assertEquals("EBUSY", ctl.path("errno").asText(), ctl.toString());

            // another user may not refresh root's view
            ProcessRun other = asNobody("refresh --mount " + mnt() + " refresh-snap");
            assertEquals(1, other.exitCode(), other.describe());
            assertTrue(
                    other.stderr().contains("EPERM") && other.stderr().contains("belongs to uid 0"), other.describe());
        }
        assertEquals(0, txfs("abort", "--mount", mnt(), "refresh-snap").exitCode());
    }

    /** The CLI as uid 65534 (its own group, no others). */
    private static ProcessRun asNobody(String args) {
        List<String> cmd = List.of(
                "setpriv",
                "--reuid=" + NOBODY,
                "--regid=" + NOBODY,
                "--clear-groups",
                "/bin/sh",
                "-c",
                "exec " + Path.of(System.getProperty("java.home"), "bin", "java") + " -jar " + readableJar + " "
                        + args);
        return ProcessRun.run(cmd, MOUNT.scratch(), Map.of("HOME", "/tmp"), MountFixture.CLI_DEADLINE);
    }

    /**
     * A bash in a Linux session of its own (setsid: the session leader, so its session id is its pid),
     * reading one command at a time from a pipe: a shell a user keeps open, outside any view.
     */
    private static final class Shell implements AutoCloseable {
        private static final String END = "@@txfs-it-end ";
        private final Process process;
        private final OutputStream in;
        private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();

        record Result(int status, String out) {}

        Shell() {
            try {
                process = new ProcessBuilder("setsid", "/bin/bash", "--norc", "--noprofile", "-s")
                        .directory(MOUNT.scratch().toFile())
                        .redirectErrorStream(true)
                        .start();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            in = process.getOutputStream();
            Thread pump = new Thread(
                    () -> {
                        try (BufferedReader r = new BufferedReader(
                                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                            for (String l = r.readLine(); l != null; l = r.readLine()) {
                                lines.add(l);
                            }
                        } catch (IOException ended) {
                            // the shell is gone
                        }
                    },
                    "shell-pump");
            pump.setDaemon(true);
            pump.start();
        }

        /** Runs one command line (stdin from /dev/null, stderr with stdout); its output and status. */
        Result run(String command) {
            try {
                in.write(("{ " + command + "\n} < /dev/null 2>&1; echo \"" + END + "$?\"\n")
                        .getBytes(StandardCharsets.UTF_8));
                in.flush();
                StringBuilder out = new StringBuilder();
                while (true) {
                    String l = lines.poll(MountFixture.CLI_DEADLINE.toSeconds(), TimeUnit.SECONDS);
                    if (l == null) {
                        fail("the shell did not finish " + command + "; so far:\n" + out);
                    }
                    if (l.startsWith(END)) {
                        return new Result(
                                Integer.parseInt(l.substring(END.length()).trim()),
                                out.toString().strip());
                    }
                    out.append(l).append('\n');
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        /** Runs a command that must succeed; its output. */
        String ok(String command) {
            Result r = run(command);
            assertEquals(0, r.status(), command + ":\n" + r.out());
            return r.out();
        }

        @Override
        public void close() {
            try {
                in.close();
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (IOException | InterruptedException e) {
                process.destroyForcibly();
            }
        }
    }
}
