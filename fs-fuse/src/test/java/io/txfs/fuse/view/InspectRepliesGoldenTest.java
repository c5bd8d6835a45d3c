package io.txfs.fuse.view;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.txfs.control.ControlCommand;
import io.txfs.control.ControlRefusal;
import io.txfs.core.Engine;
import io.txfs.core.EngineConfig;
import io.txfs.core.inspect.engine.DeltaIdLog;
import io.txfs.core.model.AttributeChange;
import io.txfs.core.model.Caller;
import io.txfs.core.model.GcPolicy;
import io.txfs.core.model.Isolation;
import io.txfs.core.store.MemoryStore;
import io.txfs.core.tree.View;
import io.txfs.fuse.RequestContext;
import io.txfs.sys.Errno;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Golden JSON replies of the inspection verbs (status, diff, log, diff between versions) on a fixed
 * tree and clock: what a build tool reading {@code .txfs/ctl} gets, byte for byte.
 */
class InspectRepliesGoldenTest {
    private static final long T0 = 1_767_225_600_000_000_000L; // 2026-01-01T00:00:00Z
    private static final RequestContext ROOT = new RequestContext(1, 0, 0, 1);

    @TempDir
    Path tmp;

    private Engine engine;
    private DeltaIdLog ids;
    private ViewControl control;

    @BeforeEach
    void open() throws Exception {
        Path backing = Files.createDirectories(tmp.resolve("backing"));
        engine = Engine.open(EngineConfig.memory(backing, new MemoryStore())
                .withClock(() -> T0)
                .withGc(new GcPolicy(true, Long.MAX_VALUE))); // versions before the flush stay diffable
        ids = DeltaIdLog.start(engine);
        control = new ViewControl(engine, null, null, null, null, ids, MountAdministrators.owner(0));
    }

    @AfterEach
    void close() {
        ids.close();
        engine.close();
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** The reply line without its final newline. */
    private String reply(String line) throws Exception {
        String json = control.handle(ROOT, ControlCommand.parse(b(line))).toJsonLine();
        assertTrue(json.endsWith("\n") && json.indexOf('\n') == json.length() - 1, json);
        return json.substring(0, json.length() - 1);
    }

    private void file(View v, long dir, String name, byte[] content) {
        long ino = engine.create(v, dir, b(name), 0644, Caller.ROOT).ino();
        engine.write(v, ino, 0, content);
    }

    private View firstChange() {
        View v = engine.createView("v", Isolation.SNAPSHOT, 0);
        file(v, Engine.ROOT, "a.txt", b("one\n"));
        long d = engine.mkdir(v, Engine.ROOT, b("d"), 0755, Caller.ROOT).ino();
        file(v, d, "b.bin", new byte[] {0, 1, 2});
        return v;
    }

    @Test
    void statusAndDiffOfAView() throws Exception {
        firstChange();
        assertEquals(
                "{\"ok\":true,\"verb\":\"status\",\"view\":\"v\",\"isolation\":\"snapshot\",\"snapshot_version\":0,\"publish"
                        + "ed_version\":0,\"flushed_version\":0,\"backing\":\"ok\",\"changed_paths\":3,\"changed_bytes\":7,\"entries\":[{\"path\":\""
                        + "a.txt\",\"kind\":\"added\",\"new_type\":\"regular\",\"new_size\":4,\"new_mode\":33188},{\"path\":\"d\",\"kin"
                        + "d\":\"added\",\"new_type\":\"directory\",\"new_size\":4096,\"new_mode\":16877},{\"path\":\"d/b.bin\",\"kin"
                        + "d\":\"added\",\"new_type\":\"regular\",\"new_size\":3,\"new_mode\":33188}],\"objects\":\"sha1\",\"delta_id"
                        + "\":\"d0b9250d1d7621876a6823ce08de2ca1a4bea15d\",\"canonical\":[{\"path\":\"a.txt\",\"change\":\"added\""
                        + ",\"type\":\"file\",\"mode\":\"0644\",\"uid\":0,\"gid\":0,\"size\":4,\"content\":\"5626abf0f72e58d7a153368ba"
                        + "57db4c673c0e171\"},{\"path\":\"d\",\"change\":\"added\",\"type\":\"dir\",\"mode\":\"0755\",\"uid\":0,\"gid\":0}"
                        + ",{\"path\":\"d/b.bin\",\"change\":\"added\",\"type\":\"file\",\"mode\":\"0644\",\"uid\":0,\"gid\":0,\"size\":3,\""
                        + "content\":\"8352675d67aed6625ece79af41c27fdb4ee2e867\"}]}",
                reply("status view=v canonical"));
        assertEquals(
                "{\"ok\":true,\"verb\":\"diff\",\"view\":\"v\",\"diff\":\"diff --txfs a/a.txt b/a.txt\\nnew file mode 100"
                        + "644\\n--- /dev/null\\n+++ b/a.txt\\n@@ -0,0 +1 @@\\n+one\\ndiff --txfs a/d b/d\\nnew file mode 4"
                        + "0755\\ndiff --txfs a/d/b.bin b/d/b.bin\\nnew file mode 100644\\nBinary files /dev/null and b/"
                        + "d/b.bin differ (0 -> 3 bytes)\\n\"}",
                reply("diff view=v"));
        assertEquals(
                "{\"ok\":true,\"verb\":\"diff\",\"view\":\"v\",\"format\":\"jsonl\",\"objects\":\"sha1\",\"delta_id\":\"d0b9250d"
                        + "1d7621876a6823ce08de2ca1a4bea15d\",\"changed_paths\":3,\"jsonl\":\"{\\\"path\\\":\\\"a.txt\\\",\\\"change\\"
                        + "\":\\\"added\\\",\\\"type\\\":\\\"file\\\",\\\"mode\\\":\\\"0644\\\",\\\"uid\\\":0,\\\"gid\\\":0,\\\"size\\\":4,\\\"content\\\""
                        + ":\\\"5626abf0f72e58d7a153368ba57db4c673c0e171\\\"}\\n{\\\"path\\\":\\\"d\\\",\\\"change\\\":\\\"added\\\",\\\"typ"
                        + "e\\\":\\\"dir\\\",\\\"mode\\\":\\\"0755\\\",\\\"uid\\\":0,\\\"gid\\\":0}\\n{\\\"path\\\":\\\"d/b.bin\\\",\\\"change\\\":\\\"add"
                        + "ed\\\",\\\"type\\\":\\\"file\\\",\\\"mode\\\":\\\"0644\\\",\\\"uid\\\":0,\\\"gid\\\":0,\\\"size\\\":3,\\\"content\\\":\\\"8352"
                        + "675d67aed6625ece79af41c27fdb4ee2e867\\\"}\\n\"}",
                reply("diff view=v format=jsonl"));
    }

    @Test
    void logAndVersionDiffs() throws Exception {
        engine.publish(firstChange(), false);
        View w = engine.createView("w", Isolation.SNAPSHOT, 0);
        long a = engine.resolve(w, "a.txt");
        engine.write(w, a, 4, b("two\n"));
        engine.setattr(w, engine.resolve(w, "d/b.bin"), AttributeChange.perm(0755));
        engine.publish(w, false);
        engine.flush();
        // w's bytes: 8, what its layer stores (the 4 bytes written at offset 4 copy up the file's first chunk)
        assertEquals(
                "{\"ok\":true,\"verb\":\"log\",\"published_version\":3,\"flushed_version\":3,\"delta_objects\":\"sha1\",\""
                        + "entries\":[{\"version\":1,\"kind\":\"publish\",\"view\":\"v\",\"time_ns\":1767225600000000000,\"time\":\"2"
                        + "026-01-01T00:00:00Z\",\"paths\":3,\"bytes\":7,\"delta_id\":\"d0b9250d1d7621876a6823ce08de2ca1a4bea"
                        + "15d\",\"delta_state\":\"computed\",\"delta_from\":0,\"delta_entries\":3},{\"version\":2,\"kind\":\"publi"
                        + "sh\",\"view\":\"w\",\"time_ns\":1767225600000000000,\"time\":\"2026-01-01T00:00:00Z\",\"paths\":2,\"byte"
                        + "s\":8,\"delta_id\":\"089a6544d18af044f00a545acad2992f867fa35a\",\"delta_state\":\"computed\",\"delta"
                        + "_from\":1,\"delta_entries\":2},{\"version\":3,\"kind\":\"flush\",\"view\":\"\",\"time_ns\":17672256000000"
                        + "00000,\"time\":\"2026-01-01T00:00:00Z\",\"paths\":4,\"bytes\":11,\"delta_id\":\"1b1c683a7679ac92860dd"
                        + "43052ca49e353473d10\",\"delta_state\":\"computed\",\"delta_from\":0,\"delta_entries\":3}]}",
                reply("log"));
        assertEquals(
                "{\"ok\":true,\"verb\":\"diff\",\"from_version\":1,\"to_version\":3,\"format\":\"text\",\"objects\":\"sha1\","
                        + "\"delta_id\":\"089a6544d18af044f00a545acad2992f867fa35a\",\"changed_paths\":2,\"diff\":\"diff --txf"
                        + "s a/a.txt b/a.txt\\n--- a/a.txt\\n+++ b/a.txt\\n@@ -1 +1,2 @@\\n one\\n+two\\ndiff --txfs a/d/b."
                        + "bin b/d/b.bin\\nold mode 100644\\nnew mode 100755\\n\"}",
                reply("diff from=1 to=published"));
        assertEquals(
                "{\"ok\":true,\"verb\":\"diff\",\"from_version\":0,\"to_version\":3,\"format\":\"jsonl\",\"objects\":\"sha1\""
                        + ",\"delta_id\":\"1b1c683a7679ac92860dd43052ca49e353473d10\",\"changed_paths\":3,\"jsonl\":\"{\\\"path\\"
                        + "\":\\\"a.txt\\\",\\\"change\\\":\\\"added\\\",\\\"type\\\":\\\"file\\\",\\\"mode\\\":\\\"0644\\\",\\\"uid\\\":0,\\\"gid\\\":0,\\"
                        + "\"size\\\":8,\\\"content\\\":\\\"814f4a422927b82f5f8a43f8fab6d3839e3983f2\\\"}\\n{\\\"path\\\":\\\"d\\\",\\\"cha"
                        + "nge\\\":\\\"added\\\",\\\"type\\\":\\\"dir\\\",\\\"mode\\\":\\\"0755\\\",\\\"uid\\\":0,\\\"gid\\\":0}\\n{\\\"path\\\":\\\"d/b.b"
                        + "in\\\",\\\"change\\\":\\\"added\\\",\\\"type\\\":\\\"file\\\",\\\"mode\\\":\\\"0755\\\",\\\"uid\\\":0,\\\"gid\\\":0,\\\"size\\\""
                        + ":3,\\\"content\\\":\\\"8352675d67aed6625ece79af41c27fdb4ee2e867\\\"}\\n\"}",
                reply("diff from=0 to=flushed format=jsonl"));
        ControlRefusal r = assertThrows(ControlRefusal.class, () -> reply("diff from=9 to=1"));
        assertEquals(Errno.ENOENT, r.errno());
        assertTrue(r.reply().toJsonLine().contains("no version 9"), r.reply().toJsonLine());
    }
}
