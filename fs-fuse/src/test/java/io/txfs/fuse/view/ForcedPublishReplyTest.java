package io.txfs.fuse.view;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.txfs.control.ControlCommand;
import io.txfs.core.Engine;
import io.txfs.core.EngineConfig;
import io.txfs.core.model.Caller;
import io.txfs.core.model.Isolation;
import io.txfs.core.store.MemoryStore;
import io.txfs.core.tree.View;
import io.txfs.fuse.RequestContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The publish reply names the paths a forced publish overrode (docs/publish-force.md). */
final class ForcedPublishReplyTest {
    private static final RequestContext ROOT = new RequestContext(1, 0, 0, 1);

    @TempDir
    Path tmp;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void write(Engine e, View v, String name, String content) {
        long ino = e.create(v, Engine.ROOT, b(name), 0644, Caller.ROOT).ino();
        e.write(v, ino, 0, b(content));
    }

    @Test
    void forcedPublishListsOverriddenPaths() throws Exception {
        Path backing = Files.createDirectories(tmp.resolve("backing"));
        try (Engine engine = Engine.open(EngineConfig.memory(backing, new MemoryStore()));
                KernelInvalidator inv = new KernelInvalidator(new NodeTable<>(16))) {
            ViewControl control = new ViewControl(engine, null, inv);
            View a = engine.createView("a", Isolation.SNAPSHOT, 0);
            View bv = engine.createView("b", Isolation.SNAPSHOT, 0);
            write(engine, a, "n", "A");
            write(engine, bv, "n", "B");
            JsonNode first = reply(control, "publish view=a\n");
            assertEquals(0, first.get("overridden").size());
            JsonNode forced = reply(control, "publish view=b force\n");
            assertEquals("[\"/n\"]", forced.get("overridden").toString());
            assertEquals("[]", forced.get("kept").toString());
        }
    }

    private static JsonNode reply(ViewControl control, String line) throws Exception {
        return new ObjectMapper()
                .readTree(control.handle(ROOT, ControlCommand.parse(b(line))).toJsonLine());
    }
}
