package io.txfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code txfs flush} on a real mount (SPEC "Flush is faithful"): FIFOs made or changed in a view are
 * flushed without ever being opened (opening one blocked the flush, and with it the whole mount), with
 * their mode and nanosecond mtime; and what the backing filesystem cannot hold makes {@code txfs flush}
 * and the control-file write fail, naming the path, with BACKING and the flushed version unchanged.
 * Every CLI call runs with the fixture's deadline, so a hang fails the test instead of stalling it.
 */
final class FlushFidelityIT {
    @RegisterExtension
    static final MountFixture MOUNT = MountFixture.views().seeded(FlushFidelityIT::seed);

    /** 2020-01-02T03:04:05.123456789Z and a second later with other nanoseconds. */
    private static final long MTIME = 1_577_934_245_123_456_789L;

    private static final long LINK_MTIME = 1_577_934_246_987_654_321L;

    private static void seed(Path backing) {
        ProcessRun r = ProcessRun.run(
                List.of("mkfifo", "-m", "0644", backing.resolve("oldfifo").toString()), MountFixture.CLI_DEADLINE);
        if (!r.succeeded()) throw new UncheckedIOException(new IOException("mkfifo in BACKING\n" + r.describe()));
    }

    private static String mnt() {
        return MOUNT.mountpoint().toString();
    }

    /** Runs a shell script in view {@code view}, from the mountpoint. */
    private static ProcessRun inView(String view, String script) {
        return MOUNT.run(
                MOUNT.mountpoint(),
                MountFixture.command("run", "--mount", mnt(), "--view", view, "--", "sh", "-c", script));
    }

    private static long flushedVersion() throws IOException {
        ProcessRun views = MOUNT.txfs("views", "--mount", mnt(), "--json");
        assertTrue(views.succeeded(), views.describe());
        JsonNode reply = new ObjectMapper().readTree(views.stdout());
        assertTrue(reply.has("flushed_version"), views.stdout());
        return reply.get("flushed_version").asLong();
    }

    private static Map<String, Object> lstat(Path p) throws IOException {
        return Files.readAttributes(p, "unix:mode,lastModifiedTime", LinkOption.NOFOLLOW_LINKS);
    }

    private static long mtime(Map<String, Object> a) {
        return ((FileTime) a.get("lastModifiedTime")).to(TimeUnit.NANOSECONDS);
    }

    @Test
    void fifosAreFlushedWithoutBeingOpened() throws IOException {
        String stamp = "@" + (MTIME / 1_000_000_000L) + "." + String.format("%09d", MTIME % 1_000_000_000L);
        String linkStamp =
                "@" + (LINK_MTIME / 1_000_000_000L) + "." + String.format("%09d", LINK_MTIME % 1_000_000_000L);
        ProcessRun made = inView(
                "flush-fifo",
                "mkfifo -m 0640 pipe && touch -h -d " + stamp + " pipe"
                        + " && chmod 0600 oldfifo && touch -h -d " + stamp + " oldfifo"
                        + " && ln -s pipe pipe-link && touch -h -d " + linkStamp + " pipe-link");
        assertTrue(made.succeeded(), made.describe());
        ProcessRun publish = MOUNT.txfs("publish", "--mount", mnt(), "flush-fifo");
        assertTrue(publish.succeeded(), publish.describe());

        ProcessRun flush = MOUNT.txfs("flush", "--mount", mnt());
        assertFalse(
                flush.timedOut(), "txfs flush must return (a flusher that opens a FIFO blocks)\n" + flush.describe());
        assertTrue(flush.succeeded(), flush.describe());

        Path backing = MOUNT.backing();
        Map<String, Object> pipe = lstat(backing.resolve("pipe"));
        assertEquals("10640", Integer.toOctalString((Integer) pipe.get("mode")), "the new FIFO's type and mode");
        assertEquals(MTIME, mtime(pipe), "the new FIFO's nanosecond mtime");
        Map<String, Object> old = lstat(backing.resolve("oldfifo"));
        assertEquals("10600", Integer.toOctalString((Integer) old.get("mode")), "the changed FIFO's mode");
        assertEquals(MTIME, mtime(old), "the changed FIFO's nanosecond mtime");
        assertEquals(LINK_MTIME, mtime(lstat(backing.resolve("pipe-link"))), "the symlink's nanosecond mtime");
        ProcessRun views = MOUNT.txfs("views", "--mount", mnt(), "--json");
        assertTrue(views.succeeded(), "the mount still serves after the flush\n" + views.describe());
    }

    @Test
    void whatTheBackingCannotHoldFailsTheFlushLoudly() throws IOException {
        Path probe = Files.createFile(MOUNT.backing().resolveSibling("xattr-probe"));
        ProcessRun fits = ProcessRun.run(
                List.of(
                        "python3",
                        "-c",
                        "import os,sys; os.setxattr(sys.argv[1], 'user.big', b'x' * 16000)",
                        probe.toString()),
                MountFixture.CLI_DEADLINE);
        if (fits.succeeded()) {
            System.err.println("SKIPPED LOUDLY: the backing filesystem here holds a 16000-byte xattr value");
            Assumptions.abort("the backing filesystem holds a 16000-byte xattr value");
        }
        long flushed = flushedVersion();
        ProcessRun made = inView(
                "flush-refused",
                "echo data > huge && echo other > other.txt && python3 -c "
                        + "\"import os; os.setxattr('huge', 'user.big', b'x' * 16000)\"");
        assertTrue(made.succeeded(), "the view holds the value\n" + made.describe());
        assertTrue(MOUNT.txfs("publish", "--mount", mnt(), "flush-refused").succeeded());

        ProcessRun flush = MOUNT.txfs("flush", "--mount", mnt());
        assertFalse(flush.timedOut(), flush.describe());
        assertNotEquals(0, flush.exitCode(), "txfs flush must fail\n" + flush.describe());
        assertTrue(
                flush.stderr().contains("/huge")
                        && flush.stderr().contains("user.big")
                        && flush.stderr().contains("No space left on device"),
                "the error names the path and why\n" + flush.describe());
        ProcessRun ctl = MOUNT.run(
                MOUNT.scratch(),
                List.of("setsid", "-w", "/bin/sh", "-c", "echo flush > \"$1/.txfs/ctl\"", "sh", mnt()));
        assertNotEquals(0, ctl.exitCode(), "the control-file write fails too\n" + ctl.describe());
        assertTrue(Files.notExists(MOUNT.backing().resolve("huge"), LinkOption.NOFOLLOW_LINKS), "nothing was flushed");
        assertTrue(
                Files.notExists(MOUNT.backing().resolve("other.txt"), LinkOption.NOFOLLOW_LINKS),
                "nothing was flushed");
        assertTrue(
                Files.notExists(MOUNT.backing().resolve(".txfs.flush"), LinkOption.NOFOLLOW_LINKS), "no staging left");
        assertEquals(flushed, flushedVersion(), "the published state stays pending");

        ProcessRun fixed =
                inView("flush-refused", "python3 -c \"import os; os.setxattr('huge', 'user.big', b'small')\"");
        assertTrue(fixed.succeeded(), fixed.describe());
        assertTrue(MOUNT.txfs("publish", "--mount", mnt(), "flush-refused").succeeded());
        ProcessRun again = MOUNT.txfs("flush", "--mount", mnt());
        assertTrue(again.succeeded(), "once the cause is gone the flush succeeds\n" + again.describe());
        assertEquals("data\n", Files.readString(MOUNT.backing().resolve("huge")));
        assertEquals("other\n", Files.readString(MOUNT.backing().resolve("other.txt")));
        assertTrue(flushedVersion() > flushed);
    }
}
