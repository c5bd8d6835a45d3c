package io.txfs.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command lines the client writes, and what it makes of the replies, against {@link FakeControlFile}. */
class TxfsMountTest {
    @TempDir
    Path mnt;

    private FakeControlFile fake;

    private TxfsMount answering(String line, String reply) throws Exception {
        fake = FakeControlFile.answering(mnt, line, reply);
        return TxfsMount.open(mnt);
    }

    @Test
    void aDirectoryWithoutAControlFileIsNoMount() {
        NotATxfsMountException e = assertThrows(NotATxfsMountException.class, () -> TxfsMount.open(mnt));
        assertTrue(e.getMessage().contains(".txfs/ctl"), e.getMessage());
    }

    @Test
    void publishWithOptionsSendsTheirWords() throws Exception {
        String line = "publish view=a force";
        TxfsMount m = answering(
                line,
                "{\"ok\":true,\"verb\":\"publish\",\"view\":\"a\",\"changed_paths\":1,\"changed_bytes\":2,"
                        + "\"published_version\":3,\"overridden\":[\"x\"],\"kept\":[],\"removed\":false}");
        PublishResult r = m.publish("a", PublishOption.FORCE);
        assertEquals(line + "\n", fake.written());
        assertEquals(List.of("x"), r.overridden());
        assertEquals(3, r.publishedVersion());
    }

    @Test
    void aLostPublishThrowsTheConflictWithItsPaths() throws Exception {
        TxfsMount m = answering(
                "publish view=b merge=bytes",
                "{\"ok\":false,\"verb\":\"publish\",\"error\":\"EBUSY\",\"message\":\"conflict\",\"view\":\"b\","
                        + "\"conflicts\":[\"out/lib.jar\"]}");
        PublishConflictException e =
                assertThrows(PublishConflictException.class, () -> m.publish("b", PublishOption.MERGE_BYTES));
        assertEquals(List.of("out/lib.jar"), e.paths());
        assertEquals("publish view=b merge=bytes\n", fake.written());
    }

    @Test
    void aCommitOfAViewThatIsGoneIsEnoent() throws Exception {
        TxfsMount m = answering(
                "commit view=gone",
                "{\"ok\":false,\"verb\":\"commit\",\"error\":\"ENOENT\",\"message\":\"no such view: gone\"}");
        TxfsException e = assertThrows(TxfsException.class, () -> m.commit("gone"));
        assertEquals("ENOENT", e.errno());
    }

    @Test
    void statusDiffAndAbortNameTheView() throws Exception {
        assertEquals(
                3,
                answering("status view=v", RepliesTest.STATUS)
                        .status("v")
                        .entries()
                        .size());
        assertEquals(
                "d0b9250d1d7621876a6823ce08de2ca1a4bea15d",
                answering("diff format=jsonl view=v", RepliesTest.DIFF_JSONL)
                        .diff("v")
                        .deltaId());
        assertEquals(
                "--- a\n",
                answering("diff view=v", "{\"ok\":true,\"verb\":\"diff\",\"view\":\"v\",\"diff\":\"--- a\\n\"}")
                        .diffText("v"));
        assertEquals(
                new AbortResult("v", 0),
                answering("abort view=v", "{\"ok\":true,\"view\":\"v\",\"discarded_paths\":0,\"removed\":true}")
                        .abort("v"));
        assertEquals("abort view=v\n", fake.written());
    }

    @Test
    void nothingIsSentForABadViewNameOrContradictoryOptions() throws Exception {
        TxfsMount m = answering("views", "{\"ok\":true,\"views\":[]}");
        for (String bad : new String[] {"a force", "", "-x", ".hidden", "a\nflush", "x".repeat(65)}) {
            assertThrows(IllegalArgumentException.class, () -> m.publish(bad), bad);
        }
        assertThrows(
                IllegalArgumentException.class, () -> m.publish("a", PublishOption.FORCE, PublishOption.MERGE_BYTES));
        assertEquals("######", fake.written(), "nothing was written");
        assertEquals(List.of(), m.views());
    }

    @Test
    void aReplyThatIsNotJsonIsMalformed() throws Exception {
        TxfsMount m = answering("views", "<html>");
        assertThrows(MalformedReplyException.class, m::views);
    }

    @Test
    void noReplyAtAllIsMalformed() throws Exception {
        TxfsMount m = answering("views", "");
        MalformedReplyException e = assertThrows(MalformedReplyException.class, m::views);
        assertTrue(e.getMessage().startsWith("no reply to 'views'"), e.getMessage());
    }
}
