package io.txfs.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.txfs.core.store.MemoryStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A default session view reads newer publishes until its first write, then keeps a snapshot. */
class BeginSnapshotTest {
    @TempDir
    Path backing;

    private static String read(Engine e, View v, String path) {
        return new String(e.read(v, e.resolve(v, path), 0, 100), StandardCharsets.UTF_8);
    }

    private static void overwrite(Engine e, View v, String path, String text) {
        long ino = e.resolve(v, path);
        e.setattr(v, ino, SetAttr.size(0));
        e.write(v, ino, 0, text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aSessionViewSeesPublishesUntilItBeginsThenKeepsItsSnapshotAndDoesNotConflictOnWhatItSaw() throws Exception {
        Files.writeString(backing.resolve("f"), "0");
        Files.writeString(backing.resolve("g"), "0");
        try (Engine e = Engine.open(Engine.Config.memory(backing, new MemoryStore()))) {
            View session = e.createView("session-1", Isolation.READ_COMMITTED, 0);
            View other = e.createView("other", Isolation.SNAPSHOT, 0);
            overwrite(e, other, "/f", "1");
            e.publish(other, false);
            assertEquals("1", read(e, session, "/f"), "read-committed until the first write");

            e.beginSnapshot(session);
            assertEquals(Isolation.SNAPSHOT, session.isolation());
            overwrite(e, session, "/f", "mine");

            overwrite(e, other, "/g", "2");
            e.publish(other, false);
            assertEquals("0", read(e, session, "/g"), "a snapshot since the first write");

            // f was published before the session began writing: no conflict
            PublishResult r = e.publish(session, false);
            assertEquals(1, r.changedPaths());
            assertEquals("mine", read(e, e.published(), "/f"));
        }
    }
}
