package io.txfs.core.inspect.access;

import io.txfs.core.inspect.EntryStat;
import java.util.Set;

/**
 * Who a tree operation runs for: a uid and its groups, judged by the kernel's mode-bit rules
 * (generic_permission without ACLs or capabilities: exactly one of the owner, group and other classes
 * applies). Uid 0 is granted everything.
 *
 * @param groups the primary group and every supplementary group
 */
public record AccessIdentity(long uid, long primaryGid, Set<Long> groups) {
    public static final int R = 4;
    public static final int W = 2;
    public static final int X = 1;

    public AccessIdentity {
        groups = Set.copyOf(groups);
        if (!groups.contains(primaryGid)) {
            throw new IllegalArgumentException("groups must include the primary group " + primaryGid);
        }
    }

    public static AccessIdentity root() {
        return new AccessIdentity(0, 0, Set.of(0L));
    }

    public boolean isRoot() {
        return uid == 0;
    }

    public boolean owns(EntryStat s) {
        return uid == s.uid();
    }

    /** The rwx bits of {@code permissions} that apply to this identity for an entry owned by uid:gid. */
    public int granted(int permissions, long ownerUid, long ownerGid) {
        return granted(uid, groups, permissions, ownerUid, ownerGid);
    }

    /** The class rule itself, for callers that know a uid and its groups but no primary group. */
    public static int granted(long uid, Set<Long> groups, int permissions, long ownerUid, long ownerGid) {
        if (uid == ownerUid) {
            return permissions >> 6 & 7;
        }
        return groups.contains(ownerGid) ? permissions >> 3 & 7 : permissions & 7;
    }

    /** Whether every bit of {@code bits} is granted on {@code s} (always for root). */
    public boolean allows(EntryStat s, int bits) {
        return isRoot() || (granted(s.permissions(), s.uid(), s.gid()) & bits) == bits;
    }
}
