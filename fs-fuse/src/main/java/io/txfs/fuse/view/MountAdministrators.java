package io.txfs.fuse.view;

import java.util.OptionalLong;
import java.util.Set;

/**
 * Who may act on the whole mount (flush, commit's flush, and later gc and rescan): root, the mount's
 * owner (the uid that started the daemon) and, when one is named at mount, the members of one group.
 * A view's own verbs (publish, abort, status, ...) belong to its owner instead: {@code verbs.Permissions}.
 */
public record MountAdministrators(long ownerUid, OptionalLong group) {
    /** The owner alone (and root). */
    public static MountAdministrators owner(long uid) {
        return new MountAdministrators(uid, OptionalLong.empty());
    }

    public boolean permit(long uid, Set<Long> groups) {
        return uid == 0 || uid == ownerUid || (group.isPresent() && groups.contains(group.getAsLong()));
    }

    /** Who is allowed, for a refusal's one line. */
    public String describe() {
        return "root, the mount's owner (uid " + ownerUid + ")"
                + (group.isPresent() ? " and group " + group.getAsLong() : "");
    }
}
