package io.txfs.fuse.view;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.txfs.control.ControlCommand;
import io.txfs.control.ControlRefusal;
import io.txfs.core.Engine;
import io.txfs.core.EngineConfig;
import io.txfs.core.store.MemoryStore;
import io.txfs.fuse.RequestContext;
import io.txfs.sys.Errno;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code rescan} verb: for the mount's administrators only, and its reply lists what it took in. */
class RescanControlTest {
    private static final RequestContext ROOT = new RequestContext(1, 0, 0, 1);
    private static final RequestContext OTHER =
            new RequestContext(2, 4321, 4321, (int) ProcessHandle.current().pid());

    @TempDir
    Path tmp;

    private Path backing;
    private Engine engine;
    private ViewControl control;

    @BeforeEach
    void open() throws Exception {
        backing = Files.createDirectories(tmp.resolve("backing"));
        Files.writeString(backing.resolve("old.txt"), "old");
        engine = Engine.open(EngineConfig.memory(backing, new MemoryStore()));
        control = new ViewControl(engine, null, null, null, null, null, MountAdministrators.owner(0));
    }

    @AfterEach
    void close() {
        engine.close();
    }

    private String reply(RequestContext who, String line) throws Exception {
        return control.handle(who, ControlCommand.parse(line.getBytes(StandardCharsets.UTF_8)))
                .toJsonLine();
    }

    @Test
    void rescanIsRefusedToOthersAndReportsWhatItTookIn() throws Exception {
        engine.readdir(engine.published(), Engine.ROOT);
        Files.writeString(backing.resolve("new.txt"), "new");
        Files.delete(backing.resolve("old.txt"));
        ControlRefusal refused = assertThrows(ControlRefusal.class, () -> reply(OTHER, "rescan"));
        assertEquals(Errno.EPERM, refused.errno());
        assertEquals(0, engine.headVersion(), "nothing taken in for a refused caller");

        String r = reply(ROOT, "rescan");
        assertTrue(
                r.contains("\"took_in\":true")
                        && r.contains("\"added\":[\"/new.txt\"]")
                        && r.contains("\"removed\":[\"/old.txt\"]")
                        && r.contains("\"outside_version\":1"),
                r);
        assertTrue(reply(ROOT, "rescan").contains("\"took_in\":false"));
    }
}
