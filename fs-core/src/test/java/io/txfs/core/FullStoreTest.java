package io.txfs.core;

import static io.txfs.core.TestFs.b;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.txfs.core.model.FsException;
import io.txfs.core.model.Isolation;
import io.txfs.core.store.Batch;
import io.txfs.core.store.StoreException;
import io.txfs.sys.Errno;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A full store gives ENOSPC, loses nothing already written, and the engine works again once there is room. */
class FullStoreTest {
    private static final class FullableStore extends ForwardingStore {
        volatile boolean full;

        @Override
        public void write(Batch batch, boolean sync) {
            if (full) throw new StoreException("No space left on device", null, true);
            super.write(batch, sync);
        }
    }

    @Test
    void fullStoreIsEnospcAndRecovers(@TempDir Path tmp) throws Exception {
        Path backing = Files.createDirectories(tmp.resolve("b"));
        Files.writeString(backing.resolve("f"), "backing");
        FullableStore store = new FullableStore();
        try (Engine e = Engine.open(EngineConfig.memory(backing, store))) {
            TestFs v = new TestFs(e, e.createView("v", Isolation.SNAPSHOT, 0));
            v.write("kept", "before full");
            long ino = v.ino("kept");
            store.full = true;
            FsException w = assertThrows(FsException.class, () -> e.write(v.view, ino, 0, b("lost?")));
            assertEquals(Errno.ENOSPC, w.errno());
            FsException p = assertThrows(FsException.class, () -> e.publish(v.view, false));
            assertEquals(Errno.ENOSPC, p.errno());
            assertEquals("before full", v.read("kept"), "nothing already written is lost");
            store.full = false;
            e.write(v.view, ino, 0, b("AFTER"));
            e.publish(v.view, false);
            assertEquals("AFTERe full", new TestFs(e, e.published()).read("kept"));
        }
    }
}
