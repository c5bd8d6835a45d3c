package io.txfs.fuse.passthrough;

import io.txfs.fuse.FuseErrnoException;
import io.txfs.fuse.RequestContext;
import io.txfs.fuse.caller.SupplementaryGroups;
import io.txfs.sys.LibC;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Lets a reader thread act on the backing filesystem as the caller: fsuid, fsgid and supplementary
 * groups of this thread only (raw syscalls; glibc would change every thread), so the backing kernel
 * checks permissions and assigns ownership exactly as for the caller. Root callers run as the daemon.
 * A caller's groups come from /proc/PID/status, cached for a second.
 */
final class CallerCredentials {
    private static final LibC C = LibC.INSTANCE;
    private static final long SYS_SETGROUPS = 116;
    private static final long SYS_SETFSUID = 122;
    private static final long SYS_SETFSGID = 123;
    private static final int MAX_GROUPS = 4096;
    private static final long GROUPS_TTL_NANOS = 1_000_000_000L;

    private record Groups(int[] ids, long expires) {}

    private final Map<Integer, Groups> groupsByPid = new ConcurrentHashMap<>();
    private final ThreadLocal<ByteBuffer> list = ThreadLocal.withInitial(
            () -> ByteBuffer.allocateDirect(4 * MAX_GROUPS).order(ByteOrder.nativeOrder()));
    private final ByteBuffer daemonGroups =
            ByteBuffer.allocateDirect(4 * MAX_GROUPS).order(ByteOrder.nativeOrder());
    private final int daemonGroupCount;
    private final int daemonUid;
    private final int daemonGid;

    CallerCredentials() {
        int n = C.getgroups(MAX_GROUPS, daemonGroups);
        daemonGroupCount = Math.max(0, n);
        daemonUid = C.getuid();
        daemonGid = C.getgid();
    }

    /** Switches this thread to the caller; returns false (nothing to undo) for root callers. */
    boolean enter(RequestContext ctx) throws FuseErrnoException {
        if ((ctx.uid() == 0 && ctx.gid() == 0) || daemonUid != 0) {
            // a daemon that is not root could not switch, and needs no switch to be refused
            return false;
        }
        int[] groups = groupsOf(ctx.pid());
        ByteBuffer b = list.get();
        for (int i = 0; i < groups.length; i++) {
            b.putInt(4 * i, groups[i]);
        }
        if (C.syscall(SYS_SETGROUPS, groups.length, b.clear()) != 0) {
            throw new FuseErrnoException(LibC.errno(), "setgroups");
        }
        C.syscall(SYS_SETFSGID, ctx.gid() & 0xffffffffL);
        C.syscall(SYS_SETFSUID, ctx.uid() & 0xffffffffL);
        return true;
    }

    /** Back to the daemon's own credentials. */
    /** What runs as the caller and answers. */
    interface Call<T> {
        T run() throws IOException;
    }

    /** What runs as the caller. */
    interface Action {
        void run() throws IOException;
    }

    /** Runs {@code call} switched to the caller ({@link #enter}), and switches back. */
    <T> T asCaller(RequestContext ctx, Call<T> call) throws IOException {
        boolean as = enter(ctx);
        try {
            return call.run();
        } finally {
            leave(as);
        }
    }

    void runAsCaller(RequestContext ctx, Action action) throws IOException {
        asCaller(ctx, () -> {
            action.run();
            return null;
        });
    }

    /** Undoes {@link #enter} if it switched (its result). */
    void leave(boolean entered) {
        if (entered) {
            restore();
        }
    }

    void restore() {
        C.syscall(SYS_SETFSUID, daemonUid & 0xffffffffL);
        C.syscall(SYS_SETFSGID, daemonGid & 0xffffffffL);
        C.syscall(SYS_SETGROUPS, daemonGroupCount, daemonGroups.clear());
    }

    private int[] groupsOf(int pid) {
        if (pid <= 0) {
            return new int[0];
        }
        long now = System.nanoTime();
        Groups g = groupsByPid.get(pid);
        if (g != null && now - g.expires() < 0) {
            return g.ids();
        }
        int[] ids = readGroups(pid);
        if (groupsByPid.size() > 4096) {
            groupsByPid.clear();
        }
        groupsByPid.put(pid, new Groups(ids, now + GROUPS_TTL_NANOS));
        return ids;
    }

    private static int[] readGroups(int pid) {
        try {
            return SupplementaryGroups.of(pid, MAX_GROUPS);
        } catch (IOException e) {
            return new int[0]; // the caller is gone: act with no supplementary groups
        }
    }
}
