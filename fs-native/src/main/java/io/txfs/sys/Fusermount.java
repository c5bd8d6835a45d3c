package io.txfs.sys;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * Mounting without CAP_SYS_ADMIN through {@code fusermount3}, the setuid helper of the fuse3 package, as
 * libfuse does: fusermount3 opens /dev/fuse, mounts it (checking the caller owns the mountpoint and may
 * ask for {@code allow_other} per /etc/fuse.conf), and passes the descriptor back over the socket named
 * by {@code _FUSE_COMMFD} (SCM_RIGHTS). That socket must be one of the helper's own descriptors, which
 * Java's ProcessBuilder cannot arrange (it closes all but 0-2), so the helper is started with posix_spawn.
 */
public final class Fusermount {
    /** The bindings only this needs, kept apart from {@link LibC}. */
    @SaveError
    public interface Calls {
        Calls INSTANCE = LibraryLoader.create(Calls.class).failImmediately().load("c");

        int socketpair(int domain, int type, int protocol, @Out int[] sv);

        int pipe2(@Out int[] fds, int flags);

        int posix_spawn_file_actions_init(Pointer actions);

        int posix_spawn_file_actions_adddup2(Pointer actions, int fd, int newfd);

        int posix_spawn_file_actions_destroy(Pointer actions);

        int posix_spawnp(@Out int[] pid, String file, Pointer actions, Pointer attr, String[] argv, String[] envp);

        int waitpid(int pid, @Out int[] status, int options);

        @ssize_t
        long recvmsg(int fd, Pointer msg, int flags);

        @ssize_t
        long read(int fd, @Out byte[] buf, @size_t long count);

        int close(int fd);
    }

    private static final int AF_UNIX = 1;
    private static final int SOCK_STREAM = 1;
    private static final int SOCK_CLOEXEC = 02000000;
    private static final int O_CLOEXEC = 02000000;
    private static final int SOL_SOCKET = 1;
    private static final int SCM_RIGHTS = 1;
    private static final int EINTR = 4;
    /** The descriptor number the helper finds the socket at. */
    private static final int CHILD_SOCKET = 3;

    public static final Path PATH = Path.of("/usr/bin/fusermount3");

    private Fusermount() {}

    public static boolean available() {
        return Files.isExecutable(PATH);
    }

    /**
     * Mounts at {@code mountpoint} with {@code options} (fusermount3's {@code -o}: fsname, subtype,
     * allow_other, default_permissions, nosuid, nodev, ...) and returns the /dev/fuse descriptor. Fails
     * with fusermount3's own message (say, allow_other refused by /etc/fuse.conf).
     */
    public static int mount(Path mountpoint, String options) throws IOException {
        Calls c = Calls.INSTANCE;
        int[] sv = new int[2];
        if (c.socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
            throw new IOException("socketpair: " + LibC.describe(LibC.errno()));
        }
        int[] err = new int[2];
        if (c.pipe2(err, O_CLOEXEC) != 0) {
            c.close(sv[0]);
            c.close(sv[1]);
            throw new IOException("pipe2: " + LibC.describe(LibC.errno()));
        }
        try {
            int pid = spawn(
                    List.of(PATH.toString(), "-o", options, "--", mountpoint.toString()),
                    Map.of("_FUSE_COMMFD", Integer.toString(CHILD_SOCKET)),
                    sv[1],
                    err[1]);
            c.close(sv[1]);
            sv[1] = -1;
            c.close(err[1]);
            err[1] = -1;
            int fd = receiveFd(sv[0]);
            String message = readAll(err[0]);
            int status = waitFor(pid);
            if (status != 0 || fd < 0) {
                if (fd >= 0) c.close(fd);
                throw new IOException(PATH + " failed"
                        + (message.isBlank() ? " (exit status " + status + ")" : ": " + message.trim()));
            }
            return fd;
        } finally {
            for (int fd : new int[] {sv[0], sv[1], err[0], err[1]}) if (fd >= 0) c.close(fd);
        }
    }

    /** {@code fusermount3 -u [-z] MOUNTPOINT}: the unmount an unprivileged owner may do; its message on failure. */
    public static void unmount(Path mountpoint, boolean lazy) throws IOException {
        List<String> argv = new ArrayList<>(List.of(PATH.toString(), "-u"));
        if (lazy) argv.add("-z");
        argv.add(mountpoint.toString());
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        try {
            if (p.waitFor() != 0) throw new IOException(out.isEmpty() ? PATH + " -u failed" : out);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while unmounting " + mountpoint, e);
        }
    }

    private static int spawn(List<String> argv, Map<String, String> extraEnv, int socket, int stderr)
            throws IOException {
        Calls c = Calls.INSTANCE;
        Runtime rt = Runtime.getSystemRuntime();
        Pointer actions = Memory.allocateDirect(rt, 256); // posix_spawn_file_actions_t is 80 bytes in glibc
        if (c.posix_spawn_file_actions_init(actions) != 0) throw new IOException("posix_spawn_file_actions_init");
        try {
            c.posix_spawn_file_actions_adddup2(actions, socket, CHILD_SOCKET);
            c.posix_spawn_file_actions_adddup2(actions, stderr, 2);
            List<String> env = new ArrayList<>();
            System.getenv().forEach((k, v) -> {
                if (!extraEnv.containsKey(k)) env.add(k + "=" + v);
            });
            extraEnv.forEach((k, v) -> env.add(k + "=" + v));
            int[] pid = new int[1];
            int rc = c.posix_spawnp(
                    pid, argv.get(0), actions, null, argv.toArray(String[]::new), env.toArray(String[]::new));
            if (rc != 0) throw new IOException("cannot start " + argv.get(0) + ": " + LibC.describe(rc));
            return pid[0];
        } finally {
            c.posix_spawn_file_actions_destroy(actions);
        }
    }

    /**
     * One SCM_RIGHTS message: fusermount3 sends one byte of payload with the descriptor attached. -1 when
     * the helper closed the socket without one (it failed; its message is on its stderr).
     */
    private static int receiveFd(int sock) throws IOException {
        Runtime rt = Runtime.getSystemRuntime();
        Pointer data = Memory.allocateDirect(rt, 8);
        Pointer iov = Memory.allocateDirect(rt, 16);
        iov.putAddress(0, data.address());
        iov.putLong(8, 1);
        Pointer control = Memory.allocateDirect(rt, 64); // CMSG_SPACE(sizeof(int)) is 24
        Pointer msg = Memory.allocateDirect(rt, 56); // struct msghdr on LP64
        msg.putAddress(0, 0); // msg_name
        msg.putInt(8, 0); // msg_namelen
        msg.putAddress(16, iov.address()); // msg_iov
        msg.putLong(24, 1); // msg_iovlen
        msg.putAddress(32, control.address()); // msg_control
        msg.putLong(40, 24); // msg_controllen
        msg.putInt(48, 0); // msg_flags
        long n;
        do {
            n = Calls.INSTANCE.recvmsg(sock, msg, 0);
        } while (n < 0 && LibC.errno() == EINTR);
        if (n < 0) throw new IOException("recvmsg from " + PATH + ": " + LibC.describe(LibC.errno()));
        if (n == 0 || msg.getLong(40) < 20) return -1;
        // struct cmsghdr: size_t cmsg_len, int cmsg_level, int cmsg_type, then the data
        if (control.getInt(8) != SOL_SOCKET || control.getInt(12) != SCM_RIGHTS) return -1;
        return control.getInt(16);
    }

    private static String readAll(int fd) {
        StringBuilder b = new StringBuilder();
        byte[] buf = new byte[4096];
        long n;
        while ((n = Calls.INSTANCE.read(fd, buf, buf.length)) > 0 || (n < 0 && LibC.errno() == EINTR)) {
            if (n > 0) b.append(new String(buf, 0, (int) n, StandardCharsets.UTF_8));
        }
        return b.toString();
    }

    private static int waitFor(int pid) throws IOException {
        int[] status = new int[1];
        while (Calls.INSTANCE.waitpid(pid, status, 0) < 0) {
            if (LibC.errno() != EINTR) throw new IOException("waitpid: " + LibC.describe(LibC.errno()));
        }
        int s = status[0];
        return (s & 0x7f) == 0 ? (s >> 8) & 0xff : 128 + (s & 0x7f);
    }
}
