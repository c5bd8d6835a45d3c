package io.txfs.core.inspect.engine;

import io.txfs.core.Engine;
import io.txfs.core.EngineConfig;
import java.nio.file.Path;

class RocksVersionInspectionTest extends VersionInspectionContract {
    @Override
    Engine open(Path backing, Path state) {
        return Engine.open(EngineConfig.rocks(backing, state).withGc(KEEP_ALL));
    }

    @Override
    Engine reopen(Engine old, Path backing, Path state) {
        old.close();
        return Engine.open(EngineConfig.rocks(backing, state).withGc(KEEP_ALL));
    }
}
