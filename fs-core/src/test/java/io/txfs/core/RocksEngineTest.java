package io.txfs.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.txfs.core.model.FsException;
import io.txfs.sys.Errno;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;

class RocksEngineTest extends EngineContractTest {
    @Override
    Engine open(Path backing, Path state) {
        return Engine.open(EngineConfig.rocks(backing, state));
    }

    @Override
    Engine reopen(Engine old, Path backing, Path state) {
        old.close();
        return Engine.open(EngineConfig.rocks(backing, state));
    }

    @Test
    void stateDirectoryIsPrivateAndLocked() throws Exception {
        Path state = tmp.resolve("state");
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(state)));
        FsException e = assertThrows(FsException.class, () -> Engine.open(EngineConfig.rocks(backing, state)));
        assertEquals(Errno.EBUSY, e.errno());
    }
}
