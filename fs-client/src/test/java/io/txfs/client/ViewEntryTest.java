package io.txfs.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The step's shell against {@link FakeControlFile}: it writes the begin line on its descriptor, reads the
 * reply there, enters the working directory and becomes the command; a refused begin or a missing directory
 * stops it before the command. (That the daemon puts it in the view is JavaClientIT's, on a real mount.)
 */
class ViewEntryTest {
    private static final String BEGUN = "{\"ok\":true,\"verb\":\"begin\",\"view\":\"s\",\"created\":true,"
            + "\"isolation\":\"snapshot\",\"snapshot_version\":0}";
    private static final String LINE = "begin toplevel view=s";

    @TempDir
    Path mnt;

    @Test
    void theCommandRunsAfterTheBeginInTheWorkingDirectoryWithItsEnvironment() throws Exception {
        FakeControlFile ctl = FakeControlFile.answering(mnt, LINE, BEGUN);
        Path dir = Files.createDirectory(mnt.resolve("sub dir"));
        ViewEntry.Outcome o = new ViewEntry(ctl.control())
                .run(
                        LINE,
                        dir,
                        List.of("/bin/sh", "-c", "echo out; echo err >&2; pwd; printf '%s\\n' \"$X\"; exit 3"),
                        Map.of("X", "a value"),
                        false);
        assertEquals(LINE + "\n", ctl.written());
        assertEquals("s", o.begun().string("view"));
        assertEquals(3, o.exitCode());
        assertEquals("out\n" + dir + "\na value\n", o.stdout());
        assertEquals("err\n", o.stderr());
    }

    @Test
    void aCommandThatExits125IsNotTakenForARefusedBegin() throws Exception {
        FakeControlFile ctl = FakeControlFile.answering(mnt, LINE, BEGUN);
        ViewEntry.Outcome o =
                new ViewEntry(ctl.control()).run(LINE, mnt, List.of("/bin/sh", "-c", "exit 125"), Map.of(), false);
        assertEquals(125, o.exitCode());
    }

    @Test
    void aBeginWithoutACommandOnlyBegins() throws Exception {
        FakeControlFile ctl = FakeControlFile.answering(mnt, "begin toplevel view=s trace", BEGUN);
        ViewEntry.Outcome o = new ViewEntry(ctl.control())
                .run("begin toplevel view=s trace", Path.of("/"), List.of(), Map.of(), false);
        assertEquals(0, o.exitCode());
        assertTrue(o.begun().bool("created"));
        assertEquals("begin toplevel view=s trace\n", ctl.written());
    }

    @Test
    void aRefusedBeginThrowsItsErrnoAndRunsNothing() throws Exception {
        FakeControlFile ctl = FakeControlFile.answering(
                mnt, LINE, "{\"ok\":false,\"verb\":\"begin\",\"error\":\"EPERM\",\"message\":\"not yours\"}");
        Path marker = mnt.resolve("ran");
        TxfsException e = assertThrows(
                TxfsException.class,
                () -> new ViewEntry(ctl.control())
                        .run(LINE, mnt, List.of("/usr/bin/touch", marker.toString()), Map.of(), false));
        assertEquals("EPERM", e.errno());
        assertFalse(Files.exists(marker), "the command did not run");
    }

    @Test
    void aWorkingDirectoryMissingInTheViewIsEnoentAndRunsNothing() throws Exception {
        FakeControlFile ctl = FakeControlFile.answering(mnt, LINE, BEGUN);
        Path marker = mnt.resolve("ran");
        TxfsException e = assertThrows(
                TxfsException.class,
                () -> new ViewEntry(ctl.control())
                        .run(
                                LINE,
                                mnt.resolve("missing"),
                                List.of("/usr/bin/touch", marker.toString()),
                                Map.of(),
                                false));
        assertEquals("ENOENT", e.errno());
        assertTrue(e.getMessage().contains(mnt.resolve("missing").toString()), e.getMessage());
        assertFalse(Files.exists(marker), "the command did not run");
    }

    @Test
    void noReplyIsMalformed() throws Exception {
        FakeControlFile ctl = FakeControlFile.answering(mnt, LINE, "");
        assertThrows(
                MalformedReplyException.class,
                () -> new ViewEntry(ctl.control()).run(LINE, mnt, List.of("/bin/true"), Map.of(), false));
    }
}
