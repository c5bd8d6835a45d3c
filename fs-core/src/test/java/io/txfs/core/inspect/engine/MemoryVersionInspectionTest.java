package io.txfs.core.inspect.engine;

import io.txfs.core.Engine;
import io.txfs.core.EngineConfig;
import io.txfs.core.store.MemoryStore;
import java.nio.file.Path;

class MemoryVersionInspectionTest extends VersionInspectionContract {
    @Override
    Engine open(Path backing, Path state) {
        return Engine.open(EngineConfig.memory(backing, new MemoryStore()).withGc(KEEP_ALL));
    }

    @Override
    Engine reopen(Engine old, Path backing, Path state) {
        old.close();
        return null;
    }
}
