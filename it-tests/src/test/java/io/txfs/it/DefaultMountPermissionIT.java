package io.txfs.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The same unprivileged-user scenario as {@link PermissionComparisonIT}, on a mount made with no
 * options at all. The mount is shared with every user (allow_other) and the daemon runs as root, so
 * unless permissions are checked — by the kernel (default_permissions) or by the daemon acting as the
 * caller — any local user could act as root on the backing directory. A local directory refuses.
 */
class DefaultMountPermissionIT {
    @RegisterExtension
    static final MountFixture MOUNT = MountFixture.passthrough();

    @Test
    void aMountWithDefaultOptionsDoesNotLetAnUnprivilegedUserActAsRoot() {
        TranscriptComparison.assertSameAsNative(MOUNT, "perms.sh");
    }
}
