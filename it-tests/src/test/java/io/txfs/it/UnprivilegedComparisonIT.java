package io.txfs.it;

import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The general scenarios again, run by an unprivileged user (uid/gid 65534, no groups) in a directory
 * that user owns, on a mount with default_permissions: the daemon runs as root but must create,
 * change and check everything as the caller would on a local directory. Operations only root may do
 * (chown, mknod of devices, trusted.* xattrs, dropping caches) must fail the same way here too.
 */
class UnprivilegedComparisonIT {
    @RegisterExtension
    static final MountFixture MOUNT = MountFixture.passthrough("default_permissions");

    @ParameterizedTest
    @ValueSource(
            strings = {
                "dirs.py",
                "files.py",
                "names.py",
                "rename.py",
                "rename2.c",
                "links.py",
                "attrs.py",
                "truncate.py",
                "xattr.py",
                "sparse.py",
                "special.py",
                "efbig.py",
                "mapping.py",
                "coherence.py",
                "readdir.py",
                "exec.sh",
                "tools.sh"
            })
    void anUnprivilegedUserSeesWhatALocalDirectoryGivesIt(String scenario) {
        TranscriptComparison.assertSameAsNative(MOUNT, scenario, TranscriptComparison.DEFAULT_TIMEOUT, true);
    }
}
