package io.txfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every CLI verb and every control-file command, run as an unprivileged uid (the "hostile" user,
 * 60000) against views of root and of a third uid (60001), and the imports that used to let that
 * user rewrite root's files in BACKING. Who may do what: docs/security.md.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PermissionMatrixIT {
    private static final int HOSTILE = 60000;
    private static final int THIRD = 60001;

    @RegisterExtension
    static final MountFixture MOUNT = MountFixture.views().seeded(PermissionMatrixIT::seed);

    /** The same tree with the hostile user's group allowed to flush. */
    @RegisterExtension
    static final MountFixture GROUP_MOUNT =
            MountFixture.views("--flush-group", String.valueOf(HOSTILE)).seeded(PermissionMatrixIT::seed);

    private static Path readableJar;

    static void seed(Path backing) {
        try {
            Path sys = Files.createDirectories(backing.resolve("sys"));
            Files.writeString(sys.resolve("passwd"), "root:x:0:0\n");
            Path tmp = Files.createDirectories(backing.resolve("tmp"));
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxrwxrwx"));
            Files.setAttribute(tmp, "unix:mode", 01777);
            Files.writeString(tmp.resolve("other"), "third's file\n");
            Files.setAttribute(tmp.resolve("other"), "unix:uid", THIRD);
            for (int uid : new int[] {HOSTILE, THIRD}) {
                Path home = Files.createDirectories(backing.resolve("home/" + uid));
                Files.setAttribute(home, "unix:uid", uid);
                Files.setAttribute(home, "unix:gid", uid);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The CLI jar and its lib/ where another uid can read them (the fixture's copy is private). */
    @BeforeAll
    static void copyJar() throws IOException {
        readableJar = MountFixture.readableJarCopy(MOUNT.scratch().resolve("jar"));
    }

    /** A shell command line run as {@code uid} (its own group, no others) with the mount as cwd. */
    private static ProcessRun as(int uid, MountFixture m, String script, String... args) {
        List<String> cmd = new ArrayList<>(List.of(
                "setpriv", "--reuid=" + uid, "--regid=" + uid, "--clear-groups", "/bin/sh", "-c", script, "sh"));
        cmd.addAll(List.of(args));
        return ProcessRun.run(
                cmd, m.mountpoint(), Map.of("TXFS", txfsLine(), "HOME", "/tmp"), MountFixture.CLI_DEADLINE);
    }

    private static String txfsLine() {
        return Path.of(System.getProperty("java.home"), "bin", "java") + " -jar " + readableJar;
    }

    private static ProcessRun cliAs(int uid, MountFixture m, String args) {
        return as(uid, m, "exec $TXFS " + args);
    }

    /** One control command through a raw descriptor: "OK" or the errno's name. */
    private static String ctlAs(int uid, MountFixture m, String command) {
        String py = "import os,errno,sys\n"
                + "fd=os.open(sys.argv[1],os.O_RDWR)\n"
                + "try:\n os.write(fd,(sys.argv[2]+'\\n').encode()); print('OK')\n"
                + "except OSError as e: print(errno.errorcode[e.errno])\n";
        ProcessRun r = as(uid, m, "exec python3 -c \"$1\" \"$2\" \"$3\"", py, m.mnt(".txfs/ctl"), command);
        assertTrue(r.succeeded(), r.describe());
        return r.stdout().trim();
    }

    private static void makeViews(MountFixture m) {
        ProcessRun root = ProcessRun.run(
                MountFixture.command("run", "--view", "v-root", "--", "sh", "-c", "echo root > sys/rootfile"),
                m.mountpoint(),
                Map.of(),
                MountFixture.CLI_DEADLINE);
        assertTrue(root.succeeded(), root.describe());
        ProcessRun third = as(THIRD, m, "exec $TXFS run --view v-third -- sh -c 'echo third > home/" + THIRD + "/f'");
        assertTrue(third.succeeded(), third.describe());
    }

    private static String statusOfViewsAsRoot(MountFixture m) {
        ProcessRun r = m.txfs("views", "--mount", m.mountpoint().toString(), "--json");
        assertTrue(r.succeeded(), r.describe());
        // a view's age grows while the matrix runs; everything else must stay as it was
        return r.stdout().replaceAll("\"age_seconds\":[0-9]+", "\"age_seconds\":_");
    }

    @Test
    @Order(1)
    void everyVerbOnAnotherUsersViewIsRefused() throws Exception {
        makeViews(MOUNT);
        String views = statusOfViewsAsRoot(MOUNT);
        String mnt = MOUNT.mountpoint().toString();
        Path layer = MOUNT.scratch().resolve("own.tar");
        makeLayer(layer, "home/" + HOSTILE + "/x", "x\n");
        for (String view : List.of("v-root", "v-third")) {
            Map<String, String> verbs = new LinkedHashMap<>();
            verbs.put("status", "status --mount " + mnt + " " + view);
            verbs.put("diff", "diff --mount " + mnt + " " + view);
            verbs.put("publish", "publish --mount " + mnt + " " + view);
            verbs.put("commit", "commit --mount " + mnt + " " + view);
            verbs.put("abort", "abort --mount " + mnt + " " + view);
            verbs.put("hash", "hash --mount " + mnt + " --view " + view);
            verbs.put("export", "export --mount " + mnt + " " + view);
            verbs.put("import", "import --mount " + mnt + " " + view + " < " + layer);
            verbs.put("run", "run --view " + view + " -- true");
            for (Map.Entry<String, String> v : verbs.entrySet()) {
                ProcessRun r = cliAs(HOSTILE, MOUNT, v.getValue());
                assertFalse(r.succeeded(), v.getKey() + " of " + view + " by uid " + HOSTILE + ": " + r.describe());
                assertTrue(
                        r.stderr().contains("belongs to uid") || r.stderr().contains("not uid " + HOSTILE),
                        "a one-line reason: " + r.describe());
            }
            for (String c : List.of(
                    "begin view=" + view,
                    "publish view=" + view,
                    "publish force view=" + view,
                    "commit view=" + view,
                    "abort view=" + view,
                    "status view=" + view,
                    "diff view=" + view,
                    "diff view=" + view + " format=jsonl",
                    "hash view=" + view,
                    "export view=" + view + " format=oci-tar")) {
                assertEquals("EPERM", ctlAs(HOSTILE, MOUNT, c), c + " by uid " + HOSTILE);
            }
        }
        ProcessRun listed = cliAs(HOSTILE, MOUNT, "views --mount " + mnt + " --json");
        assertTrue(listed.succeeded(), listed.describe());
        assertFalse(listed.stdout().contains("v-root") || listed.stdout().contains("v-third"), listed.stdout());
        // nothing of theirs changed: the same views, the same pending changes
        assertEquals(views, statusOfViewsAsRoot(MOUNT));
    }

    @Test
    @Order(2)
    void onlyRootTheOwnerAndTheFlushGroupFlush() throws Exception {
        String mnt = MOUNT.mountpoint().toString();
        assertEquals("EPERM", ctlAs(HOSTILE, MOUNT, "flush"));
        assertEquals("EPERM", ctlAs(HOSTILE, MOUNT, "commit"));
        ProcessRun flush = cliAs(HOSTILE, MOUNT, "flush --mount " + mnt);
        assertFalse(flush.succeeded(), flush.describe());
        assertTrue(flush.stderr().contains("not uid " + HOSTILE), flush.describe());
        assertEquals("EPERM", ctlAs(HOSTILE, MOUNT, "rescan"));
        ProcessRun rescan = cliAs(HOSTILE, MOUNT, "rescan --mount " + mnt);
        assertFalse(rescan.succeeded(), rescan.describe());
        assertEquals("EPERM", ctlAs(HOSTILE, MOUNT, "gc"));
        ProcessRun gc = cliAs(HOSTILE, MOUNT, "gc --mount " + mnt);
        assertFalse(gc.succeeded(), gc.describe());
        assertTrue(gc.stderr().contains("not uid " + HOSTILE), gc.describe());
        for (String c : List.of("views", "log", "stats", "hash published")) {
            assertEquals("OK", ctlAs(HOSTILE, MOUNT, c), c + " is for everyone");
        }
        ProcessRun log = cliAs(HOSTILE, MOUNT, "log --mount " + mnt);
        assertTrue(log.succeeded(), log.describe());
        ProcessRun stats = cliAs(HOSTILE, MOUNT, "stats --mount " + mnt);
        assertTrue(
                stats.succeeded()
                        && stats.stdout().contains("heap")
                        && stats.stdout().contains("block cache"),
                "the daemon's memory is for every user of the mount to read: " + stats.describe());
        ProcessRun unmount = cliAs(HOSTILE, MOUNT, "unmount " + mnt);
        assertFalse(unmount.succeeded(), "root's mount is not another user's to end: " + unmount.describe());
        assertEquals("OK", ctlAs(0, MOUNT, "views"), "still served");
        // the hostile user's own view: publish is its own business, the flush is not
        ProcessRun own =
                as(HOSTILE, MOUNT, "exec $TXFS run --view v-own -- sh -c 'echo mine > home/" + HOSTILE + "/mine'");
        assertTrue(own.succeeded(), own.describe());
        ProcessRun commit = cliAs(HOSTILE, MOUNT, "commit --mount " + mnt + " v-own");
        assertFalse(commit.succeeded(), commit.describe());
        assertTrue(statusOfViewsAsRoot(MOUNT).contains("v-own"), "a refused commit publishes nothing");
        assertTrue(cliAs(HOSTILE, MOUNT, "publish --mount " + mnt + " v-own").succeeded());
        assertFalse(Files.exists(MOUNT.backing().resolve("home/" + HOSTILE + "/mine")));

        ProcessRun mine = as(
                HOSTILE, GROUP_MOUNT, "exec $TXFS run --view g-own -- sh -c 'echo mine > home/" + HOSTILE + "/mine'");
        assertTrue(mine.succeeded(), mine.describe());
        ProcessRun groupCommit = cliAs(HOSTILE, GROUP_MOUNT, "commit --mount " + GROUP_MOUNT.mountpoint() + " g-own");
        assertTrue(groupCommit.succeeded(), "--flush-group " + HOSTILE + ": " + groupCommit.describe());
        assertEquals("mine\n", Files.readString(GROUP_MOUNT.backing().resolve("home/" + HOSTILE + "/mine")));
        assertEquals("EPERM", ctlAs(THIRD, GROUP_MOUNT, "flush"), "not in the group");
        assertEquals("OK", ctlAs(HOSTILE, GROUP_MOUNT, "gc"), "--flush-group " + HOSTILE + " may gc");
        assertEquals("EPERM", ctlAs(THIRD, GROUP_MOUNT, "gc"), "not in the group");
    }

    @Test
    @Order(3)
    void anImportCannotRewriteOrDeleteWhatTheUserCouldNot() throws Exception {
        String mnt = MOUNT.mountpoint().toString();
        Path passwd = MOUNT.scratch().resolve("passwd.tar");
        makeLayer(passwd, "sys/passwd", "hostile::0:0\n");
        ProcessRun replace =
                as(HOSTILE, MOUNT, "exec $TXFS import --mount " + mnt + " evil < \"$1\"", passwd.toString());
        assertFalse(replace.succeeded(), replace.describe());
        assertTrue(
                replace.stderr().contains("permission denied")
                        && replace.stderr().contains("sys"),
                replace.describe());
        assertFalse(statusOfViewsAsRoot(MOUNT).contains("\"evil\""), "a refused import creates no view");

        Path whiteout = MOUNT.scratch().resolve("whiteout.tar");
        makeLayer(whiteout, "tmp/.wh.other", "");
        ProcessRun delete =
                as(HOSTILE, MOUNT, "exec $TXFS import --mount " + mnt + " evil < \"$1\"", whiteout.toString());
        assertFalse(delete.succeeded(), delete.describe());
        assertTrue(delete.stderr().contains("sticky"), delete.describe());

        // into a view that exists, a refused layer changes nothing of it
        ProcessRun begin =
                as(HOSTILE, MOUNT, "exec $TXFS run --view evil2 -- sh -c 'echo keep > home/" + HOSTILE + "/keep'");
        assertTrue(begin.succeeded(), begin.describe());
        Path mixed = MOUNT.scratch().resolve("mixed");
        Files.createDirectories(mixed.resolve("home/" + HOSTILE));
        Files.createDirectories(mixed.resolve("sys"));
        Files.writeString(mixed.resolve("home/" + HOSTILE + "/first"), "first\n");
        Files.writeString(mixed.resolve("sys/passwd"), "hostile\n");
        ProcessRun tar = ProcessRun.run(
                List.of(
                        "tar",
                        "--numeric-owner",
                        "-cf",
                        mixed + ".tar",
                        "-C",
                        mixed.toString(),
                        "home/" + HOSTILE + "/first",
                        "sys/passwd"),
                MountFixture.CLI_DEADLINE);
        assertTrue(tar.succeeded(), tar.describe());
        String before =
                cliAs(HOSTILE, MOUNT, "status --mount " + mnt + " evil2 --json").stdout();
        ProcessRun partial = as(HOSTILE, MOUNT, "exec $TXFS import --mount " + mnt + " evil2 < \"$1\"", mixed + ".tar");
        assertFalse(partial.succeeded(), partial.describe());
        assertEquals(
                before,
                cliAs(HOSTILE, MOUNT, "status --mount " + mnt + " evil2 --json").stdout());

        // what the user may change goes through, owned by the user whatever the layer says
        Path own = MOUNT.scratch().resolve("own-root-owned.tar");
        makeLayer(own, "home/" + HOSTILE + "/setuid", "#!/bin/sh\n");
        ProcessRun ok = as(HOSTILE, MOUNT, "exec $TXFS import --mount " + mnt + " good < \"$1\"", own.toString());
        assertTrue(ok.succeeded(), ok.describe());
        assertTrue(cliAs(HOSTILE, MOUNT, "publish --mount " + mnt + " good").succeeded());
        assertTrue(MOUNT.txfs("flush", "--mount", mnt).succeeded());
        assertEquals("root:x:0:0\n", Files.readString(MOUNT.backing().resolve("sys/passwd")));
        assertEquals("third's file\n", Files.readString(MOUNT.backing().resolve("tmp/other")));
        Path imported = MOUNT.backing().resolve("home/" + HOSTILE + "/setuid");
        assertEquals(HOSTILE, Files.getAttribute(imported, "unix:uid"));
        assertEquals(04755, (int) Files.getAttribute(imported, "unix:mode") & 07777);
    }

    @Test
    @Order(4)
    void aDescriptorThatCouldBlockIsRefusedAndAPipeIsSpooled() throws Exception {
        // a FIFO without a writer, opened non-blocking by the caller: the daemon must not wait on it
        String py = "import os,errno,sys\n"
                + "os.mkfifo(sys.argv[2])\n"
                + "f=os.open(sys.argv[2],os.O_RDONLY|os.O_NONBLOCK)\n"
                + "fd=os.open(sys.argv[1],os.O_RDWR)\n"
                + "try:\n os.write(fd,('import view=fifo fd=%d\\n'%f).encode()); print('OK')\n"
                + "except OSError as e: print(errno.errorcode[e.errno])\n";
        Path dir = Files.createTempDirectory(MOUNT.scratch(), "fifo-");
        Files.setAttribute(dir, "unix:uid", HOSTILE);
        ProcessRun r = as(
                HOSTILE,
                MOUNT,
                "exec python3 -c \"$1\" \"$2\" \"$3\"",
                py,
                MOUNT.mnt(".txfs/ctl"),
                dir.resolve("fifo").toString());
        assertFalse(r.timedOut(), "the daemon waited on the caller's FIFO: " + r.describe());
        assertEquals("EINVAL", r.stdout().trim(), r.describe());
        Path own = MOUNT.scratch().resolve("piped.tar");
        makeLayer(own, "home/" + HOSTILE + "/piped", "through a pipe\n");
        ProcessRun piped = as(
                HOSTILE, MOUNT, "cat \"$1\" | $TXFS import --mount " + MOUNT.mountpoint() + " piped", own.toString());
        assertTrue(piped.succeeded(), piped.describe());
    }

    /** A layer of one file, made by root with uid/gid 0 and mode 4755 in its header. */
    private static void makeLayer(Path tar, String path, String content) throws IOException {
        Path dir = Files.createTempDirectory(tar.getParent(), "layer-");
        Path f = dir.resolve(path);
        Files.createDirectories(f.getParent());
        Files.writeString(f, content, StandardCharsets.UTF_8);
        Files.setAttribute(f, "unix:mode", 04755);
        ProcessRun r = ProcessRun.run(
                List.of(
                        "tar",
                        "--numeric-owner",
                        "--owner=0",
                        "--group=0",
                        "-cf",
                        tar.toString(),
                        "-C",
                        dir.toString(),
                        path),
                MountFixture.CLI_DEADLINE);
        assertTrue(r.succeeded(), r.describe());
        Files.setPosixFilePermissions(tar, PosixFilePermissions.fromString("rw-r--r--"));
    }
}
