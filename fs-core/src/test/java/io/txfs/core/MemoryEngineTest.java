package io.txfs.core;

import io.txfs.core.store.MemoryStore;
import java.nio.file.Path;

class MemoryEngineTest extends EngineContractTest {
    private MemoryStore store;

    @Override
    Engine open(Path backing, Path state) {
        store = new MemoryStore();
        return Engine.open(EngineConfig.memory(backing, store));
    }

    @Override
    Engine reopen(Engine old, Path backing, Path state) {
        old.close();
        store = store.reopened();
        return Engine.open(EngineConfig.memory(backing, store));
    }
}
