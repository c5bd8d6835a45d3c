package io.txfs.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * The daemon's replies decoded. The status and diff lines are the golden replies of fs-fuse's
 * InspectRepliesGoldenTest, byte for byte (a view that added a.txt, d/ and d/b.bin); the others are built
 * field by field as the verbs in io.txfs.fuse.view.verbs write them.
 */
class RepliesTest {
    static final String STATUS =
            "{\"ok\":true,\"verb\":\"status\",\"view\":\"v\",\"isolation\":\"snapshot\",\"snapshot_version\":0,\"publish"
                    + "ed_version\":0,\"flushed_version\":0,\"backing\":\"ok\",\"changed_paths\":3,\"changed_bytes\":7,\"entries\":[{\"path\":\""
                    + "a.txt\",\"kind\":\"added\",\"new_type\":\"regular\",\"new_size\":4,\"new_mode\":33188},{\"path\":\"d\",\"kin"
                    + "d\":\"added\",\"new_type\":\"directory\",\"new_size\":4096,\"new_mode\":16877},{\"path\":\"d/b.bin\",\"kin"
                    + "d\":\"added\",\"new_type\":\"regular\",\"new_size\":3,\"new_mode\":33188}],\"objects\":\"sha1\",\"delta_id"
                    + "\":\"d0b9250d1d7621876a6823ce08de2ca1a4bea15d\",\"canonical\":[{\"path\":\"a.txt\",\"change\":\"added\""
                    + ",\"type\":\"file\",\"mode\":\"0644\",\"uid\":0,\"gid\":0,\"size\":4,\"content\":\"5626abf0f72e58d7a153368ba"
                    + "57db4c673c0e171\"},{\"path\":\"d\",\"change\":\"added\",\"type\":\"dir\",\"mode\":\"0755\",\"uid\":0,\"gid\":0}"
                    + ",{\"path\":\"d/b.bin\",\"change\":\"added\",\"type\":\"file\",\"mode\":\"0644\",\"uid\":0,\"gid\":0,\"size\":3,\""
                    + "content\":\"8352675d67aed6625ece79af41c27fdb4ee2e867\"}]}";

    static final String DIFF_JSONL =
            "{\"ok\":true,\"verb\":\"diff\",\"view\":\"v\",\"format\":\"jsonl\",\"objects\":\"sha1\",\"delta_id\":\"d0b9250d"
                    + "1d7621876a6823ce08de2ca1a4bea15d\",\"changed_paths\":3,\"jsonl\":\"{\\\"path\\\":\\\"a.txt\\\",\\\"change\\"
                    + "\":\\\"added\\\",\\\"type\\\":\\\"file\\\",\\\"mode\\\":\\\"0644\\\",\\\"uid\\\":0,\\\"gid\\\":0,\\\"size\\\":4,\\\"content\\\""
                    + ":\\\"5626abf0f72e58d7a153368ba57db4c673c0e171\\\"}\\n{\\\"path\\\":\\\"d\\\",\\\"change\\\":\\\"added\\\",\\\"typ"
                    + "e\\\":\\\"dir\\\",\\\"mode\\\":\\\"0755\\\",\\\"uid\\\":0,\\\"gid\\\":0}\\n{\\\"path\\\":\\\"d/b.bin\\\",\\\"change\\\":\\\"add"
                    + "ed\\\",\\\"type\\\":\\\"file\\\",\\\"mode\\\":\\\"0644\\\",\\\"uid\\\":0,\\\"gid\\\":0,\\\"size\\\":3,\\\"content\\\":\\\"8352"
                    + "675d67aed6625ece79af41c27fdb4ee2e867\\\"}\\n\"}";

    private static JsonObject json(String text) throws MalformedReplyException {
        return JsonObject.parse(text);
    }

    @Test
    void statusEntriesCarryKindTypeSizeAndPermissions() throws Exception {
        ViewStatus s = Replies.status(json(STATUS));
        assertEquals("v", s.view());
        assertEquals(Isolation.SNAPSHOT, s.isolation());
        assertEquals(3, s.changedPaths());
        assertEquals(7, s.changedBytes());
        Map<String, ChangeKind> want = new LinkedHashMap<>();
        want.put("a.txt", ChangeKind.ADDED);
        want.put("d", ChangeKind.ADDED);
        want.put("d/b.bin", ChangeKind.ADDED);
        assertEquals(want, s.changes());
        StatusEntry d = s.entries().get(1);
        assertEquals(Optional.empty(), d.before());
        assertEquals(Optional.of(new EntryState(FileType.DIRECTORY, 4096, 0755)), d.after());
        assertEquals(
                new EntryState(FileType.REGULAR, 4, 0644),
                s.entries().get(0).after().orElseThrow());
    }

    @Test
    void bothSidesOfAModifiedOrRetypedPath() throws Exception {
        ViewStatus s = Replies.status(json("{\"ok\":true,\"view\":\"w\",\"isolation\":\"read-committed\","
                + "\"snapshot_version\":4,\"published_version\":6,\"flushed_version\":2,\"changed_paths\":3,"
                + "\"changed_bytes\":9,\"entries\":["
                + "{\"path\":\"m\",\"kind\":\"modified\",\"old_type\":\"regular\",\"old_size\":1,\"old_mode\":33261,"
                + "\"new_type\":\"regular\",\"new_size\":9,\"new_mode\":33188},"
                + "{\"path\":\"t\",\"kind\":\"type_changed\",\"old_type\":\"symlink\",\"old_size\":3,\"old_mode\":41471,"
                + "\"new_type\":\"directory\",\"new_size\":4096,\"new_mode\":17389},"
                + "{\"path\":\"gone\",\"kind\":\"deleted\",\"old_type\":\"fifo\",\"old_size\":0,\"old_mode\":4516}]}"));
        assertEquals(Isolation.READ_COMMITTED, s.isolation());
        assertEquals(List.of(4L, 6L, 2L), List.of(s.snapshotVersion(), s.publishedVersion(), s.flushedVersion()));
        StatusEntry m = s.entries().get(0);
        assertEquals(new EntryState(FileType.REGULAR, 1, 0755), m.before().orElseThrow());
        assertEquals(new EntryState(FileType.REGULAR, 9, 0644), m.after().orElseThrow());
        StatusEntry t = s.entries().get(1);
        assertEquals(ChangeKind.TYPE_CHANGED, t.kind());
        assertEquals('T', t.kind().letter());
        assertEquals(new EntryState(FileType.SYMLINK, 3, 0777), t.before().orElseThrow());
        assertEquals(new EntryState(FileType.DIRECTORY, 4096, 01755), t.after().orElseThrow(), "sticky kept");
        StatusEntry gone = s.entries().get(2);
        assertEquals(new EntryState(FileType.FIFO, 0, 0644), gone.before().orElseThrow());
        assertEquals(Optional.empty(), gone.after());
    }

    @Test
    void theCanonicalDiffIsDecodedLineByLine() throws Exception {
        Diff d = Replies.diff(json(DIFF_JSONL));
        assertEquals("v", d.view());
        assertEquals("sha1", d.objects());
        assertEquals("d0b9250d1d7621876a6823ce08de2ca1a4bea15d", d.deltaId());
        assertEquals(3, d.changes().size());
        DeltaChange a = d.changes().get(0);
        assertEquals("a.txt", a.path());
        assertEquals(ChangeKind.ADDED, a.change());
        assertEquals(FileType.REGULAR, a.type());
        assertEquals(OptionalInt.of(0644), a.permissions());
        assertEquals(OptionalLong.of(0), a.uid());
        assertEquals(OptionalLong.of(4), a.size());
        assertEquals(Optional.of("5626abf0f72e58d7a153368ba57db4c673c0e171"), a.content());
        DeltaChange dir = d.changes().get(1);
        assertEquals(FileType.DIRECTORY, dir.type());
        assertEquals(OptionalLong.empty(), dir.size());
        assertEquals(Optional.empty(), dir.content());
    }

    @Test
    void anEmptyDeltaHasNoChanges() throws Exception {
        Diff d = Replies.diff(
                json("{\"ok\":true,\"view\":\"e\",\"objects\":\"sha256\",\"delta_id\":\"ab\",\"jsonl\":\"\"}"));
        assertEquals(List.of(), d.changes());
    }

    @Test
    void deltaBytesInBase64AndTheRarerFields() throws Exception {
        // x\xc3( is not UTF-8; the target and link are UTF-8 strings
        DeltaChange del = Replies.deltaChange(
                json("{\"path\":{\"base64\":\"eMMoCg==\"},\"change\":\"deleted\",\"type\":\"file\"}"));
        assertEquals("x\uFFFD(\n", del.path());
        assertEquals(ChangeKind.DELETED, del.change());
        assertEquals(OptionalInt.empty(), del.permissions());
        DeltaChange link = Replies.deltaChange(json("{\"path\":\"l\",\"change\":\"type-changed\",\"type\":\"symlink\","
                + "\"mode\":\"0777\",\"uid\":1000,\"gid\":100,\"content\":\"c0\",\"target\":\"../t\",\"mtime\":5}"));
        assertEquals(ChangeKind.TYPE_CHANGED, link.change());
        assertEquals(Optional.of("../t"), link.target());
        assertEquals(OptionalLong.of(100), link.gid());
        assertEquals(OptionalLong.of(5), link.mtimeNanos());
        DeltaChange dev = Replies.deltaChange(json("{\"path\":\"dev\",\"change\":\"metadata\",\"type\":\"char\","
                + "\"mode\":\"4755\",\"uid\":0,\"gid\":0,\"rdev\":259}"));
        assertEquals(FileType.CHAR_DEVICE, dev.type());
        assertEquals(OptionalInt.of(04755), dev.permissions());
        assertEquals(OptionalLong.of(259), dev.rdev());
        DeltaChange hard = Replies.deltaChange(json("{\"path\":\"h2\",\"change\":\"added\",\"type\":\"file\","
                + "\"mode\":\"0644\",\"uid\":0,\"gid\":0,\"size\":1,\"content\":\"c1\",\"link\":\"h1\"}"));
        assertEquals(Optional.of("h1"), hard.link());
    }

    @Test
    void aPublishAndACommit() throws Exception {
        String published = "{\"ok\":true,\"verb\":\"publish\",\"view\":\"p\",\"changed_paths\":2,\"changed_bytes\":10,"
                + "\"published_version\":7,\"overridden\":[\"/n\"],\"kept\":[],\"removed\":false}";
        PublishResult p = Replies.publish(json(published));
        assertEquals(new PublishResult("p", 2, 10, 7, List.of("n"), List.of(), false, Optional.empty()), p);
        PublishResult child = Replies.publish(json("{\"ok\":true,\"verb\":\"publish\",\"merged_into\":\"outer\","
                + "\"view\":\"c\",\"changed_paths\":1,\"changed_bytes\":1,\"published_version\":3,"
                + "\"overridden\":[],\"kept\":[],\"removed\":true}"));
        assertEquals(Optional.of("outer"), child.mergedInto());
        assertTrue(child.removed());
        CommitResult c = Replies.commit(
                json(published.replace("}", ",\"flushed_version\":7,\"flushed_paths\":2," + "\"flushed_bytes\":10}")));
        assertEquals(new CommitResult(p, 7, 2, 10), c);
    }

    @Test
    void anAbortAndABegin() throws Exception {
        assertEquals(
                new AbortResult("a", 4),
                Replies.abort(json("{\"ok\":true,\"verb\":\"abort\",\"view\":\"a\",\"discarded_paths\":4,"
                        + "\"removed\":true}")));
        BeginResult b = Replies.begin(json("{\"ok\":true,\"verb\":\"begin\",\"parent\":\"outer\",\"view\":\"b\","
                + "\"created\":true,\"isolation\":\"snapshot\",\"snapshot_version\":12,\"already_in\":false,"
                + "\"traced\":false,\"readdir\":\"sorted\",\"mtime_clamp\":-1}"));
        assertEquals(new BeginResult("b", true, Isolation.SNAPSHOT, 12, Optional.of("outer")), b);
    }

    @Test
    void theViewsList() throws Exception {
        List<ViewInfo> views = Replies.views(
                json(
                        "{\"ok\":true,\"verb\":\"views\",\"published_version\":3,"
                                + "\"flushed_version\":1,\"views\":["
                                + "{\"name\":\"a\",\"isolation\":\"snapshot\",\"owner_uid\":0,\"snapshot_version\":2,"
                                + "\"changed_bytes\":5,\"changed_paths\":1,\"pinned_bytes\":0,\"state\":\"live\",\"orphaned\":false,"
                                + "\"created\":\"2026-01-01T00:00:00Z\",\"age_seconds\":3},"
                                + "{\"name\":\"b\",\"isolation\":\"read-committed\",\"owner_uid\":1000,\"snapshot_version\":3,"
                                + "\"changed_bytes\":0,\"durability\":\"none\",\"changed_paths\":0,\"parent\":\"a\",\"pinned_bytes\":64,"
                                + "\"state\":\"orphaned\",\"orphaned\":true,\"created\":\"2026-01-01T00:00:01.5Z\",\"age_seconds\":1}]}"));
        assertEquals(
                List.of(
                        new ViewInfo(
                                "a",
                                Isolation.SNAPSHOT,
                                0,
                                2,
                                1,
                                5,
                                0,
                                true,
                                Optional.empty(),
                                Instant.parse("2026-01-01T00:00:00Z")),
                        new ViewInfo(
                                "b",
                                Isolation.READ_COMMITTED,
                                1000,
                                3,
                                0,
                                0,
                                64,
                                false,
                                Optional.of("a"),
                                Instant.parse("2026-01-01T00:00:01.5Z"))),
                views);
    }

    @Test
    void aConflictCarriesItsPathsAndView() throws Exception {
        TxfsException e = Replies.refusal(json("{\"ok\":false,\"verb\":\"publish\",\"error\":\"EBUSY\","
                + "\"message\":\"publish of view b conflicts with newer published changes; nothing was published\","
                + "\"view\":\"b\",\"conflicts\":[\"/same/x.txt\",\"/same\"]}"));
        PublishConflictException c = assertInstanceOf(PublishConflictException.class, e);
        assertEquals("b", c.view());
        assertEquals(List.of("same/x.txt", "same"), c.paths(), "relative to the root, as status gives them");
        assertEquals("EBUSY", c.errno());
        assertTrue(c.getMessage().contains("same/x.txt, same"), c.getMessage());
    }

    @Test
    void aLongConflictListIsCutInTheMessageOnly() {
        List<String> paths =
                java.util.stream.IntStream.range(0, 25).mapToObj(i -> "p" + i).toList();
        PublishConflictException c = new PublishConflictException("v", paths, "lost");
        assertEquals(25, c.paths().size());
        assertTrue(c.getMessage().endsWith("p9 and 15 more (EBUSY)"), c.getMessage());
    }

    @Test
    void otherRefusalsKeepTheirErrno() throws Exception {
        TxfsException e = Replies.refusal(
                json("{\"ok\":false,\"verb\":\"status\",\"error\":\"ENOENT\",\"message\":\"no such view: nope\"}"));
        assertFalse(e instanceof PublishConflictException);
        assertEquals("ENOENT", e.errno());
        assertEquals("no such view: nope (ENOENT)", e.getMessage());
        // EBUSY without paths is not a lost publish
        TxfsException busy = Replies.refusal(json("{\"ok\":false,\"error\":\"EBUSY\",\"message\":\"flush running\"}"));
        assertFalse(busy instanceof PublishConflictException);
    }

    @Test
    void missingOrMistypedFieldsAreNamed() {
        MalformedReplyException missing =
                assertThrows(MalformedReplyException.class, () -> Replies.abort(json("{\"ok\":true,\"view\":\"a\"}")));
        assertTrue(missing.getMessage().contains("'discarded_paths'"), missing.getMessage());
        MalformedReplyException mistyped = assertThrows(
                MalformedReplyException.class,
                () -> Replies.abort(json("{\"ok\":true,\"view\":\"a\",\"discarded_paths\":\"4\"}")));
        assertTrue(mistyped.getMessage().contains("not a whole number"), mistyped.getMessage());
        assertThrows(
                MalformedReplyException.class,
                () -> Replies.abort(json("{\"ok\":true,\"view\":\"a\",\"discarded_paths\":1.5}")));
        assertThrows(MalformedReplyException.class, () -> JsonObject.parse("[1]"));
        assertThrows(
                MalformedReplyException.class,
                () -> Replies.status(json(STATUS.replace("\"kind\":\"added\"", "\"kind\":\"renamed\""))));
    }
}
