package io.txfs.core;

import static io.txfs.core.TestFs.b;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.txfs.core.model.Isolation;
import io.txfs.core.store.MemoryStore;
import io.txfs.core.tree.View;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A read-only descriptor of a read-committed view (a pinned handle, as the mount opens one) keeps
 * reading what its view wrote after the view publishes it, and does not see another view's publish.
 */
class PinnedReadTest {
    @TempDir
    Path tmp;

    private static String read(Engine e, View v, long ino) {
        ByteBuffer dst = ByteBuffer.allocate(64);
        e.read(v, ino, 0, dst);
        dst.flip();
        return StandardCharsets.UTF_8.decode(dst).toString();
    }

    @Test
    void aPinFollowsItsOwnViewsPublishAndNotAnothers() throws Exception {
        Path backing = Files.createDirectories(tmp.resolve("backing"));
        Files.writeString(backing.resolve("f"), "base");
        try (Engine e = Engine.open(EngineConfig.memory(backing, new MemoryStore()))) {
            TestFs mine = new TestFs(e, e.createView("mine", Isolation.READ_COMMITTED, 0));
            TestFs other = new TestFs(e, e.createView("other", Isolation.READ_COMMITTED, 0));
            mine.write("f", b("mine"));
            long ino = mine.ino("f");
            View fd = PinnedViews.pin(e, mine.view);
            assertEquals("mine", read(e, fd, ino), "its own pending write");
            e.publish(mine.view, false);
            assertEquals("mine", read(e, fd, ino), "after its own publish, still its own write (not the base)");
            View otherFd = PinnedViews.pin(e, other.view);
            TestFs third = new TestFs(e, e.createView("third", Isolation.SNAPSHOT, 0));
            third.write("f", b("3rd!"));
            e.publish(third.view, false);
            assertEquals("mine", read(e, otherFd, ino), "another view's publish does not move a pin");
            assertEquals("mine", read(e, fd, ino));
            PinnedViews.release(e, fd);
            PinnedViews.release(e, otherFd);
        }
    }
}
