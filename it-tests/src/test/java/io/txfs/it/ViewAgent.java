package io.txfs.it;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A long-running Python process ({@code view_agent.py}) inside one view, started with
 * {@code txfs run --view NAME --namespace always|never}: the test sends it one JSON command per line on
 * its stdin and reads one JSON reply per line from its stdout, so two agents hold two views at once and
 * every step is synchronised through the pipes. Paths given to the convenience methods are relative to
 * the mount root; the agent reaches them by the mountpoint's absolute path, which inside a private
 * mount namespace is the view's own root and otherwise the shared root.
 */
public final class ViewAgent implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration REPLY_DEADLINE = Duration.ofSeconds(90);
    private static final JsonNode EOF = JSON.createObjectNode().put("eof", true);

    /** The two ways into a view. */
    public enum Way {
        /** {@code txfs run --namespace always}: the view root bind-mounted over the mountpoint. */
        NAMESPACE("always"),
        /** {@code txfs run --namespace never}: the shared root, routed by the caller's pid. */
        SHARED_ROOT("never");

        final String option;

        Way(String option) {
            this.option = option;
        }
    }

    private final MountFixture fixture;
    private final String view;
    private final Way way;
    private final Process process;
    private final OutputStream stdin;
    private final Path stderr;
    private final BlockingQueue<JsonNode> replies = new LinkedBlockingQueue<>();
    private int pending;

    private ViewAgent(MountFixture fixture, String view, Way way, Process process, Path stderr) {
        this.fixture = fixture;
        this.view = view;
        this.way = way;
        this.process = process;
        this.stdin = process.getOutputStream();
        this.stderr = stderr;
        Thread reader = new Thread(this::pump, "agent-" + view);
        reader.setDaemon(true);
        reader.start();
    }

    static ViewAgent start(MountFixture fixture, String view, Way way, String isolation) {
        List<String> args = new ArrayList<>(
                List.of("run", "--mount", fixture.mountpoint().toString(), "--view", view, "--namespace", way.option));
        if (isolation != null) {
            args.add("--isolation");
            args.add(isolation);
        }
        args.add("--");
        args.add("/usr/bin/python3");
        args.add("-u");
        args.add(fixture.agentScript().toString());
        Path err = fixture.scratch().resolve("agent-" + view + "-" + System.nanoTime() + ".stderr");
        Process p;
        try {
            p = new ProcessBuilder(MountFixture.command(args.toArray(String[]::new)))
                    .directory(fixture.scratch().toFile())
                    .redirectError(err.toFile())
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start txfs run for view " + view, e);
        }
        ViewAgent a = new ViewAgent(fixture, view, way, p, err);
        a.call("pid"); // answered only once the command runs inside the view
        return a;
    }

    /**
     * The same agent as a plain process, in no view and not started by txfs: it works on whatever paths it
     * is given, e.g. a reference directory on the local filesystem that a differential test compares a
     * view with.
     */
    static ViewAgent plain(MountFixture fixture, String name) {
        Path err = fixture.scratch().resolve("plain-" + name + "-" + System.nanoTime() + ".stderr");
        Process p;
        try {
            p = new ProcessBuilder(
                            "/usr/bin/python3", "-u", fixture.agentScript().toString())
                    .directory(fixture.scratch().toFile())
                    .redirectError(err.toFile())
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the plain agent " + name, e);
        }
        ViewAgent a = new ViewAgent(fixture, name, null, p, err);
        a.call("pid");
        return a;
    }

    public String view() {
        return view;
    }

    public Way way() {
        return way;
    }

    @Override
    public String toString() {
        return way == null ? "plain agent " + view : "agent in view " + view + " (" + way + ")";
    }

    private void pump() {
        try (BufferedReader r =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                try {
                    replies.add(JSON.readTree(line));
                } catch (IOException e) {
                    replies.add(
                            JSON.createObjectNode().put("ok", false).put("error", "unparsable agent output: " + line));
                }
            }
        } catch (IOException ignored) {
            // the process ended
        }
        replies.add(EOF);
    }

    /** A command: op plus key/value pairs (values: String, Number, Boolean, List, JsonNode). */
    static ObjectNode command(String op, Object... kv) {
        ObjectNode o = JSON.createObjectNode().put("op", op);
        for (int i = 0; i < kv.length; i += 2) {
            o.set((String) kv[i], JSON.valueToTree(kv[i + 1]));
        }
        return o;
    }

    /** Sends a command without waiting; collect the reply with {@link #awaitReply()}. */
    public synchronized void submit(String op, Object... kv) {
        try {
            stdin.write((command(op, kv).toString() + "\n").getBytes(StandardCharsets.UTF_8));
            stdin.flush();
            pending++;
        } catch (IOException e) {
            fail(this + " is gone (cannot send " + op + "): " + e + "\n" + diagnostics());
        }
    }

    /** The next reply, raw: {"ok":true,"result":...} or {"ok":false,"errno":...,"error":...}. */
    public JsonNode awaitReply(Duration timeout) {
        JsonNode r;
        try {
            r = replies.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        synchronized (this) {
            pending--;
        }
        if (r == null) {
            fail(this + " did not answer within " + timeout.toSeconds() + " s\n" + diagnostics());
        }
        if (r == EOF) {
            replies.add(EOF);
            fail(this + " exited before answering\n" + diagnostics());
        }
        return r;
    }

    public JsonNode awaitReply() {
        return awaitReply(REPLY_DEADLINE);
    }

    /** Sends a command and returns its raw reply. */
    public JsonNode raw(String op, Object... kv) {
        submit(op, kv);
        return awaitReply();
    }

    /** Sends a command that must succeed and returns its result. */
    public JsonNode call(String op, Object... kv) {
        JsonNode r = raw(op, kv);
        if (!r.path("ok").asBoolean()) {
            fail(this + ": " + command(op, kv) + " failed: " + r.path("errno").asText() + " "
                    + r.path("error").asText());
        }
        return r.get("result");
    }

    /** Sends a command that must fail and returns its errno name. */
    public String errno(String op, Object... kv) {
        JsonNode r = raw(op, kv);
        if (r.path("ok").asBoolean()) {
            fail(this + ": " + command(op, kv) + " succeeded (result " + r.get("result") + ") but should have failed");
        }
        return r.path("errno").asText();
    }

    // ------------------------------------------------------------------ conveniences (paths relative to the mount)

    public String read(String path) {
        return call("read", "path", fixture.mnt(path)).asText();
    }

    public void write(String path, String data) {
        call("write", "path", fixture.mnt(path), "data", data);
    }

    public JsonNode stat(String path) {
        return call("stat", "path", fixture.mnt(path));
    }

    public boolean exists(String path) {
        return call("exists", "path", fixture.mnt(path)).asBoolean();
    }

    public List<String> list(String path) {
        List<String> names = new ArrayList<>();
        call("listdir", "path", fixture.mnt(path)).forEach(n -> names.add(n.asText()));
        return names;
    }

    /** Sends one control command from this view; result: {errno: null|"EBUSY"..., reply: {...}}. */
    public JsonNode ctl(String line) {
        return call("ctl", "mount", fixture.mountpoint().toString(), "line", line + "\n");
    }

    /** What the process sees of its view: stderr of txfs run and the agent, and the daemon log tail. */
    String diagnostics() {
        String err;
        try {
            err = Files.exists(stderr) ? Files.readString(stderr) : "";
        } catch (IOException e) {
            err = "(" + e + ")";
        }
        return "--- " + this + " stderr ---\n" + err + "\n" + fixture.daemonLogTail(40);
    }

    /** Closes the agent's stdin and waits for txfs run to return; kills what it started if it hangs. */
    @Override
    public void close() {
        fixture.forgetAgent(this);
        try {
            stdin.close();
        } catch (IOException ignored) {
            // already gone
        }
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
                fail(this + " did not exit within 30 s of its stdin closing\n" + diagnostics());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Exit status of txfs run once the agent ended (after close, or after the daemon died). */
    public int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                fail(this + " still running after " + timeout.toSeconds() + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return process.exitValue();
    }
}
