package io.txfs.core;

import static io.txfs.core.TestFs.b;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.txfs.core.model.FsException;
import io.txfs.core.model.Isolation;
import io.txfs.core.store.MemoryStore;
import io.txfs.sys.Errno;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A view keeps user., trusted. and security. xattrs; other names, POSIX ACLs among them, are refused as
 * a local filesystem without ACL support refuses them, so that cp -a falls back to chmod (it set the
 * mode through system.posix_acl_access, which a view stored and never applied: copies stayed 0600).
 */
class XattrNamespaceTest {
    @TempDir
    Path tmp;

    @Test
    void onlyTheKeptNamespacesAreStored() throws Exception {
        Path backing = Files.createDirectories(tmp.resolve("backing"));
        Files.writeString(backing.resolve("f"), "x");
        try (Engine e = Engine.open(EngineConfig.memory(backing, new MemoryStore()))) {
            TestFs v = new TestFs(e, e.createView("v", Isolation.SNAPSHOT, 0));
            long f = v.ino("f");
            for (String refused : List.of("system.posix_acl_access", "system.posix_acl_default", "plain", "bogus.x")) {
                FsException set = assertThrows(FsException.class, () -> e.setxattr(v.view, f, refused, b("v"), 0));
                assertEquals(Errno.EOPNOTSUPP, set.errno(), refused);
                FsException remove = assertThrows(FsException.class, () -> e.removexattr(v.view, f, refused));
                assertEquals(Errno.EOPNOTSUPP, remove.errno(), refused);
            }
            for (String kept : List.of("user.a", "trusted.t", "security.s")) {
                e.setxattr(v.view, f, kept, b(kept), 0);
                assertArrayEquals(b(kept), e.getxattr(v.view, f, kept), kept);
            }
            assertEquals(
                    List.of("security.s", "trusted.t", "user.a"),
                    e.listxattr(v.view, f).stream().sorted().toList());
        }
    }
}
