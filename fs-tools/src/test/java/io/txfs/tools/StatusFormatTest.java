package io.txfs.tools;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

class StatusFormatTest {
    private static JsonNode json(String s) throws Exception {
        return new ObjectMapper().readTree(s);
    }

    @Test
    void statusIsOneLetterAndAPathPerEntryThenTheCounts() throws Exception {
        String text = StatusFormat.status(json("""
                {"ok":true,"verb":"status","view":"b1","changed_paths":4,"changed_bytes":10,"snapshot_version":3,
                 "published_version":5,"entries":[{"path":"a","kind":"added"},{"path":"b c","kind":"modified"},
                 {"path":"d","kind":"deleted"},{"path":"e","kind":"type_changed"},{"path":"f","kind":"metadata"}]}
                """));
        assertEquals("""
                A  a
                M  b c
                D  d
                T  e
                M  f
                # view b1: 4 paths, 10 bytes pending (snapshot 3, published 5)
                """, text);
    }

    @Test
    void statusShowsTheGroupCommitAndAutoFlushWithTheirFailures() throws Exception {
        String text = StatusFormat.status(json("""
                {"view":"shared","changed_paths":0,"changed_bytes":0,"snapshot_version":9,"published_version":9,"entries":[],
                 "group_commit":{"window_ms":100,"max_operations":1000,"operations":2500,"groups":7,"waiting":3,"failures":1,
                                 "last_error":"a flush stopped after committing its plan"},
                 "auto_flush":{"every_ms":1000,"flushes":4,"failures":2,"last_error":"not flushed: /x: ENOSPC"}}
                """));
        assertTrue(text.endsWith("""
                # group commit: 2500 operations in 7 versions, 3 waiting; NOT PUBLISHED (kept, retried): a flush stopped after committing its plan
                # auto-flush every 1000 ms: 4 flushes, 2 failed; LAST FAILED (state kept, retried): not flushed: /x: ENOSPC
                """), text);
        String fine = StatusFormat.status(json("""
                {"view":"shared","entries":[],"group_commit":{"operations":5,"groups":1,"waiting":0,"failures":0}}
                """));
        assertTrue(fine.endsWith("# group commit: 5 operations in 1 versions, 0 waiting\n"), fine);
    }

    @Test
    void statusSaysWhenTheBackingDirectoryIsGone() throws Exception {
        String text = StatusFormat.status(json("""
                {"view":"w","changed_paths":0,"changed_bytes":0,"snapshot_version":1,"published_version":1,
                 "backing":"was deleted while mounted","entries":[]}
                """));
        assertTrue(text.endsWith("# backing directory: was deleted while mounted\n"), text);
        assertTrue(!StatusFormat.status(json("{\"view\":\"w\",\"backing\":\"ok\",\"entries\":[]}"))
                .contains("backing"));
    }

    @Test
    void rescanListsWhatWasTakenIn() throws Exception {
        assertEquals("""
                A  /d/new
                M  /f
                D  /gone
                !  /f  (a published change not yet flushed was overridden)
                # 3 directories checked; changes made outside txfs taken in as published version 7
                """, StatusFormat.rescan(json("""
                {"took_in":true,"outside_version":7,"directories_checked":3,"added":["/d/new"],"changed":["/f"],
                 "removed":["/gone"],"overridden":["/f"]}
                """)));
        assertEquals(
                "# 3 directories checked; the backing directory holds what txfs recorded\n",
                StatusFormat.rescan(json("{\"took_in\":false,\"directories_checked\":3}")));
    }

    @Test
    void summaryNamesWhatHappened() throws Exception {
        assertEquals(
                "publish view v: 2 paths, 7 bytes, published version 9",
                StatusFormat.summary(
                        json(
                                "{\"verb\":\"publish\",\"view\":\"v\",\"changed_paths\":2,\"changed_bytes\":7,\"published_version\":9}")));
        assertEquals(
                "flush, flushed version 9", StatusFormat.summary(json("{\"verb\":\"flush\",\"flushed_version\":9}")));
    }

    @Test
    void forcedPublishNamesEveryOverriddenPath() throws Exception {
        assertEquals(
                List.of(
                        "txfs: overrode /a/f (published by another view)",
                        "txfs: overrode /d/x (published by another view)",
                        "txfs: kept /d (another view published files inside it)"),
                StatusFormat.forceLines(
                        json("{\"verb\":\"publish\",\"overridden\":[\"/a/f\",\"/d/x\"],\"kept\":[\"/d\"]}")));
        assertEquals(List.of(), StatusFormat.forceLines(json("{\"verb\":\"publish\",\"overridden\":[],\"kept\":[]}")));
    }

    @Test
    void viewsTableHasAHeaderAndARowPerView() throws Exception {
        String t = StatusFormat.views(json("""
                {"views":[{"name":"a","isolation":"snapshot","owner_uid":1000,"changed_paths":1,"changed_bytes":2,
                           "snapshot_version":7,"pinned_bytes":65600,"state":"orphaned","orphaned":true,"age_seconds":7200},
                          {"name":"b","isolation":"read-committed","owner_uid":0,"changed_paths":0,"changed_bytes":0,
                           "snapshot_version":9,"state":"live","orphaned":false,"age_seconds":5}]}
                """));
        String[] lines = t.split("\n");
        assertEquals(3, lines.length);
        assertEquals(
                List.of("VIEW", "OWNER", "STATE", "ISOLATION", "PATHS", "BYTES", "VERSION", "PINNED", "AGE"),
                List.of(lines[0].trim().split(" +")));
        assertEquals(
                List.of("a", "1000", "orphaned", "snapshot", "1", "2", "7", "65600", "2h"),
                List.of(lines[1].trim().split(" +")));
        assertEquals(
                List.of("b", "0", "live", "read-committed", "0", "0", "9", "?", "5s"),
                List.of(lines[2].trim().split(" +")));
    }

    @Test
    void agesUseTheirLargestWholeUnit() {
        assertEquals("59s", StatusFormat.age(59));
        assertEquals("1m", StatusFormat.age(60));
        assertEquals("59m", StatusFormat.age(3599));
        assertEquals("1h", StatusFormat.age(3600));
        assertEquals("2d", StatusFormat.age(2 * 86400 + 5));
    }

    @Test
    void pruneSummaryNamesTheViewsKeptLive() throws Exception {
        assertEquals(
                "pruned 1 orphaned views; kept live: w",
                StatusFormat.pruneSummary(
                        json("{\"pruned\":[{\"view\":\"a\",\"discarded_paths\":1}],\"live\":[\"w\"],\"younger\":[]}")));
        assertEquals(
                "removed view a (1 pending paths discarded)",
                StatusFormat.removed(json("{\"view\":\"a\",\"discarded_paths\":1}")));
    }

    @Test
    void agesOnTheCommandLine() {
        assertEquals(30, AgeDuration.seconds("30"));
        assertEquals(30, AgeDuration.seconds("30s"));
        assertEquals(600, AgeDuration.seconds("10m"));
        assertEquals(7200, AgeDuration.seconds("2h"));
        assertEquals(86400, AgeDuration.seconds("1d"));
        for (String bad : new String[] {"", "1w", "-1s", "1.5h", "h"}) {
            Assertions.assertThrows(UserFacingException.class, () -> AgeDuration.seconds(bad), bad);
        }
    }

    @Test
    void controlCommandsOutsideAMountFailClearly() {
        UserFacingException e =
                Assertions.assertThrows(UserFacingException.class, () -> MountLocator.controlFile(Path.of("/proc")));
        assertTrue(e.getMessage().contains("no txfs mount"), e.getMessage());
    }

    @Test
    void logIsAHeaderAndOneLinePerEntryWithItsDeltaId() throws Exception {
        String t = StatusFormat.log(json("""
                {"entries":[{"version":1,"kind":"publish","view":"b1","time":"2026-01-01T00:00:00Z","paths":3,"bytes":12,
                  "delta_id":"d0b9250d1d7621876a6823ce08de2ca1a4bea15d","delta_state":"computed"},
                 {"version":2,"kind":"flush","view":"","time":"2026-01-01T00:00:01Z","paths":3,"bytes":12,
                  "delta_id":null,"delta_state":"unavailable"},
                 {"version":3,"kind":"publish","view":"a-much-longer-view-name","time":"2026-01-01T00:00:02Z","paths":1,
                  "bytes":0,"delta_id":null,"delta_state":"pending"}]}
                """));
        assertEquals("""
                 VERSION KIND    VIEW                     TIME                              PATHS        BYTES DELTA
                       1 publish b1                       2026-01-01T00:00:00Z                  3           12 d0b9250d1d7621876a6823ce08de2ca1a4bea15d
                       2 flush                            2026-01-01T00:00:01Z                  3           12 unavailable
                       3 publish a-much-longer-view-name  2026-01-01T00:00:02Z                  1            0 pending
                """, t);
    }

    @Test
    void theDeltaIdLineNamesTheVersionsOfAVersionDiff() throws Exception {
        assertEquals("txfs: delta id 089a65 (2 paths, sha1, versions 1 to 3)", StatusFormat.deltaIdLine(json("""
                {"from_version":1,"to_version":3,"objects":"sha1","delta_id":"089a65","changed_paths":2}""")));
        assertEquals("txfs: delta id 5626ab (1 paths, sha256)", StatusFormat.deltaIdLine(json("""
                {"view":"v","objects":"sha256","delta_id":"5626ab","changed_paths":1}""")));
    }

    @Test
    void diffStatReadsAVersionDiffToo() {
        // DeltaText's output for a changed file and a mode-only change (InspectRepliesGoldenTest)
        String unified = "diff --txfs a/a.txt b/a.txt\n--- a/a.txt\n+++ b/a.txt\n@@ -1 +1,2 @@\n one\n+two\n"
                + "diff --txfs a/d/b.bin b/d/b.bin\nold mode 100644\nnew mode 100755\n";
        assertEquals("""
                 a.txt   | 1 +
                 d/b.bin | 0
                 2 files changed, 1 insertion(+)
                """, StatusFormat.diffStat(unified));
    }

    @Test
    void diffStatCountsLinesPerFileLikeGit() {
        String unified = """
                diff --txfs a/src/a.c b/src/a.c
                --- a/src/a.c
                +++ b/src/a.c
                @@ -1,2 +1,2 @@
                -old
                +new
                +more
                 same
                diff --txfs a/img.png b/img.png
                new file mode 100644
                Binary files /dev/null and b/img.png differ (0 -> 9 bytes)
                diff --txfs a/gone b/gone
                deleted file mode 100644
                --- a/gone
                +++ /dev/null
                @@ -1 +0,0 @@
                -bye
                """;
        assertEquals("""
                 src/a.c | 3 ++-
                 img.png | Bin
                 gone    | 1 -
                 3 files changed, 2 insertions(+), 2 deletions(-)
                """, StatusFormat.diffStat(unified));
        assertEquals(" 0 files changed, 0 insertions(+)\n", StatusFormat.diffStat(""));
    }

    @Test
    void hashPathsAreTakenRelativeToTheMount() {
        Path mp = Path.of("/mnt/tx");
        assertEquals("src/a", InspectCommands.Hash.treePath(mp, Path.of("/mnt/tx/src/./a")));
        assertEquals("", InspectCommands.Hash.treePath(mp, Path.of("/mnt/tx")));
        assertEquals("src", InspectCommands.Hash.treePath(mp, Path.of("src")));
        assertTrue(Assertions.assertThrows(
                        UserFacingException.class, () -> InspectCommands.Hash.treePath(mp, Path.of("/etc")))
                .getMessage()
                .contains("not inside"));
        assertTrue(Assertions.assertThrows(
                        UserFacingException.class,
                        () -> InspectCommands.Hash.treePath(mp, Path.of("/mnt/tx/.txfs/ctl")))
                .getMessage()
                .contains("control"));
        assertTrue(Assertions.assertThrows(
                        UserFacingException.class, () -> InspectCommands.Hash.treePath(mp, Path.of("../x")))
                .getMessage()
                .contains("leaves"));
    }

    private static final String ODD_NAMES = """
            {"view":"q","changed_paths":3,"changed_bytes":2,"snapshot_version":1,"published_version":1,"entries":[
             {"path":"new\\nline","kind":"added"},{"path":"tab\\tx","kind":"modified"},
             {"path":"x%FFy","encoded":true,"kind":"deleted"},{"path":"café","kind":"added"}]}
            """;

    @Test
    void statusQuotesNamesAsGitAndPorcelainIsOnlyTheEntries() throws Exception {
        String porcelain = StatusFormat.statusPorcelain(json(ODD_NAMES));
        assertEquals("""
                A  "new\\nline"
                M  "tab\\tx"
                D  "x\\377y"
                A  "caf\\303\\251"
                """, porcelain);
        assertTrue(StatusFormat.status(json(ODD_NAMES)).startsWith(porcelain + "# view q: 3 paths"));
    }

    @Test
    void statusZGivesTheExactBytesEndedByNul() throws Exception {
        byte[] z = StatusFormat.statusZ(json(ODD_NAMES));
        java.io.ByteArrayOutputStream want = new java.io.ByteArrayOutputStream();
        want.writeBytes("A  new\nline\0M  tab\tx\0D  x".getBytes(StandardCharsets.US_ASCII));
        want.write(0xff);
        want.writeBytes("y\0A  café\0".getBytes(StandardCharsets.UTF_8));
        assertArrayEquals(want.toByteArray(), z);
    }

    @Test
    void diffPathsAndStatReadQuotedHeaders() {
        String unified = """
                diff --txfs "a/new\\nline" "b/new\\nline"
                new file mode 100644
                --- /dev/null
                +++ "b/new\\nline"
                @@ -0,0 +1 @@
                +two
                diff --txfs a/x b/y b/x b/y
                deleted file mode 100644
                --- a/x b/y
                +++ /dev/null
                @@ -1 +0,0 @@
                -gone
                diff --txfs "a/\\377" "b/\\377"
                new file mode 100644
                Binary files /dev/null and "b/\\377" differ (0 -> 3 bytes)
                """;
        List<byte[]> paths = StatusFormat.diffPaths(unified);
        assertEquals(3, paths.size());
        assertArrayEquals("new\nline".getBytes(StandardCharsets.US_ASCII), paths.get(0));
        assertArrayEquals("x b/y".getBytes(StandardCharsets.US_ASCII), paths.get(1));
        assertArrayEquals(new byte[] {(byte) 0xff}, paths.get(2));
        assertEquals("\"new\\nline\"\nx b/y\n\"\\377\"\n", new String(StatusFormat.pathList(paths, false)));
        assertEquals(
                " \"new\\nline\" | 1 +\n x b/y       | 1 -\n \"\\377\"      | Bin\n"
                        + " 3 files changed, 1 insertion(+), 1 deletion(-)\n",
                StatusFormat.diffStat(unified));
    }

    @Test
    void logPorcelainIsOneSpaceSeparatedRecordPerEntry() throws Exception {
        JsonNode r = json("""
                {"entries":[{"version":1,"kind":"publish","view":"b","time_ns":5,"time":"x","paths":2,"bytes":3,
                  "delta_id":"ab12","delta_state":"computed"},
                 {"version":2,"kind":"flush","view":null,"time_ns":6,"paths":2,"bytes":3,"delta_id":null,
                  "delta_state":"pending"}]}
                """);
        assertEquals("1 publish b 5 2 3 ab12\n2 flush - 6 2 3 pending\n", StatusFormat.logPorcelain(r, '\n'));
        assertEquals("1 publish b 5 2 3 ab12\0002 flush - 6 2 3 pending\0", StatusFormat.logPorcelain(r, '\0'));
    }
}
