package io.txfs.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Permission errors for an unprivileged user (uid 65534, via setpriv) on a mount with
 * default_permissions, compared with the same scenario on a plain directory: EACCES and EPERM where a
 * local filesystem gives them, and files the user creates are owned by the user.
 */
class PermissionComparisonIT {
    @RegisterExtension
    static final MountFixture MOUNT = MountFixture.passthrough("default_permissions");

    @Test
    void anUnprivilegedUserGetsTheSameEaccesAndEpermAsOnALocalDirectory() {
        TranscriptComparison.assertSameAsNative(MOUNT, "perms.sh");
    }
}
