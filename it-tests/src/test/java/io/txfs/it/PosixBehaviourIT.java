package io.txfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * One POSIX behaviour suite, run in four modes ({@link Mode}): the engine in-process, a passthrough
 * mount, a view reached through the shared root, and a view in its own mount namespace.
 *
 * <p>Two kinds of cases:
 * <ul>
 *   <li>the suite's own cases, written once against {@link FsDriver} and expected to give what Linux gives
 *       on a local filesystem (written down in each case): in-process over the engine's API, in the mounts
 *       as system calls from a process there;</li>
 *   <li>the transcript scenarios (src/test/resources/scenarios): each run once in a plain directory and
 *       once in the mount, inside a fresh view for the view modes, with identical transcripts required
 *       ({@link TranscriptComparison}). They are programs making system calls, so they have no in-process
 *       mode: {@link InMounts} leaves ENGINE out for that reason, and the engine's side of what they check
 *       is the driver cases here and fs-core's EngineContractTest.</li>
 * </ul>
 *
 * <p>One passthrough mount and one views mount serve the whole class; every case works in a fresh
 * directory (and, in the view modes, a fresh view) of its own.
 */
class PosixBehaviourIT {
    @RegisterExtension
    static final MountFixture PASSTHROUGH = MountFixture.of(MountFixture.Mode.PASSTHROUGH);

    @RegisterExtension
    static final MountFixture VIEWS = MountFixture.of(MountFixture.Mode.VIEWS);

    /** Where the suite runs. */
    enum Mode {
        /** The engine's API in-process: no FUSE, no kernel. */
        ENGINE,
        /** A {@code --mode passthrough} mount, used by a plain process. */
        PASSTHROUGH,
        /** A views mount, used by a process in its own view ({@code txfs run --namespace never}). */
        VIEW_SHARED_ROOT,
        /** A views mount, used by a process in its own view's mount namespace ({@code txfs run --namespace always}). */
        VIEW_NAMESPACE;

        ViewAgent.Way way() {
            return this == VIEW_SHARED_ROOT ? ViewAgent.Way.SHARED_ROOT : ViewAgent.Way.NAMESPACE;
        }
    }

    /** Every mode. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.METHOD)
    @ParameterizedTest(name = "{0}")
    @EnumSource(Mode.class)
    @interface InEveryMode {}

    /**
     * The three mounts. ENGINE is left out: a transcript scenario is a program (python3, sh, C) making
     * system calls in a directory, and the in-process engine has no directory and no system calls.
     */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.METHOD)
    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Mode.class, names = "ENGINE", mode = EnumSource.Mode.EXCLUDE)
    @interface InMounts {}

    /** The agent each mount mode's cases share (each case works in a fresh directory of its own); closed with its fixture. */
    private static final Map<Mode, ViewAgent> AGENTS = new EnumMap<>(Mode.class);

    /** A driver for one case, in a fresh directory of its own. */
    private static FsDriver driver(Mode mode, String caseName) {
        String name = caseName + "-" + mode.name().toLowerCase(Locale.ROOT).replace('_', '-');
        return switch (mode) {
            case ENGINE -> new EngineDriver(name);
            case PASSTHROUGH ->
                new AgentDriver(
                        AGENTS.computeIfAbsent(mode, m -> PASSTHROUGH.plainAgent("suite")), PASSTHROUGH.mnt(name));
            case VIEW_SHARED_ROOT, VIEW_NAMESPACE ->
                new AgentDriver(
                        AGENTS.computeIfAbsent(
                                mode,
                                m -> VIEWS.agent(
                                        "suite-cases-"
                                                + m.name()
                                                        .toLowerCase(Locale.ROOT)
                                                        .replace('_', '-'),
                                        m.way())),
                        VIEWS.mnt(name));
        };
    }

    /** "OK", or the errno the operation failed with. */
    private static String outcome(Runnable op) {
        try {
            op.run();
            return "OK";
        } catch (FsDriver.Failure f) {
            return f.errno;
        }
    }

    private static void scenario(Mode mode, String scenario, TranscriptComparison.Known... inViews) {
        switch (mode) {
            case PASSTHROUGH -> TranscriptComparison.assertSameAsNative(PASSTHROUGH, scenario);
            case VIEW_SHARED_ROOT, VIEW_NAMESPACE ->
                TranscriptComparison.assertSameAsNativeInView(VIEWS, mode.way(), scenario, List.of(inViews));
            case ENGINE -> fail("transcript scenarios have no in-process mode");
        }
    }

    private static TranscriptComparison.Known known(String operation, String outcome, String why) {
        return new TranscriptComparison.Known(operation, outcome, why);
    }

    // Differences of a view from a plain directory, pinned so that they stay visible: each must still occur,
    // and nothing else may differ. Findings (not by design) are marked FINDING; see docs/testing.md.
    private static final String NO_HOLES = "FINDING: a view keeps no holes: lseek SEEK_DATA/SEEK_HOLE see one data"
            + " extent, st_blocks counts the whole size, fallocate KEEP_SIZE and PUNCH_HOLE answer ENOTSUP";
    private static final String XATTR_SIZE = "FINDING: a view takes values up to the VFS limit (64 KiB), beyond"
            + " what ext4 holds in one block (ENOSPC there)";

    // ------------------------------------------------------------------ the suite's own cases (FsDriver)

    @InEveryMode
    void filesAreCreatedWrittenAtOffsetsAndReadBackWithHolesAsZeros(Mode mode) {
        try (FsDriver fs = driver(mode, "files")) {
            fs.create("f", "hello");
            assertEquals("hello", fs.read("f"), fs.describe());
            FsDriver.Stat st = fs.stat("f");
            assertEquals(new FsDriver.Stat("file", 0644, 1, 5, st.ino()), st, "a new file: " + fs.describe());
            fs.pwrite("f", 3, "LO world");
            assertEquals("helLO world", fs.read("f"), "an overwrite that extends");
            fs.pwrite("f", 20, "x");
            assertEquals(
                    "helLO world" + "\0".repeat(9) + "x", fs.read("f"), "a write past the end leaves a hole of zeros");
            assertEquals(21, fs.stat("f").size());
            assertEquals("EEXIST", outcome(() -> fs.create("f", "again")), "O_EXCL on an existing name");
            assertEquals("ENOENT", outcome(() -> fs.create("no-dir/f", "")), "a missing parent");
            assertEquals("ENOTDIR", outcome(() -> fs.create("f/g", "")), "a file as parent");
            assertEquals("ENOENT", outcome(() -> fs.read("missing")));
            assertEquals("EISDIR", outcome(() -> fs.read("")), "reading a directory");
        }
    }

    @InEveryMode
    void directoriesAreMadeCountedListedAndRemovedOnlyWhenEmpty(Mode mode) {
        try (FsDriver fs = driver(mode, "dirs")) {
            fs.mkdir("d", 0755);
            assertEquals(
                    new FsDriver.Stat(
                            "dir", 0755, 2, fs.stat("d").size(), fs.stat("d").ino()),
                    fs.stat("d"));
            assertEquals("EEXIST", outcome(() -> fs.mkdir("d", 0755)));
            assertEquals("ENOENT", outcome(() -> fs.mkdir("d/e/f", 0755)));
            fs.create("file", "");
            assertEquals("ENOTDIR", outcome(() -> fs.mkdir("file/x", 0755)));
            fs.create("d/b", "");
            fs.create("d/a", "");
            fs.mkdir("d/c", 0700);
            assertEquals(3, fs.stat("d").nlink(), "a directory counts itself, its entry and each subdirectory's ..");
            assertEquals(0700, fs.stat("d/c").perm());
            assertEquals(List.of("a", "b", "c"), fs.list("d"));
            assertEquals("ENOTEMPTY", outcome(() -> fs.rmdir("d")));
            assertEquals("ENOTDIR", outcome(() -> fs.rmdir("d/a")));
            assertEquals("ENOENT", outcome(() -> fs.rmdir("d/missing")));
            assertEquals("EISDIR", outcome(() -> fs.unlink("d/c")), "unlink of a directory");
            fs.unlink("d/a");
            fs.unlink("d/b");
            fs.rmdir("d/c");
            assertEquals(2, fs.stat("d").nlink());
            fs.rmdir("d");
            assertEquals(List.of("file"), fs.list(""));
            assertEquals("ENOENT", outcome(() -> fs.stat("d")));
        }
    }

    @InEveryMode
    void renameReplacesAFileOrAnEmptyDirectoryKeepsTheNodeAndRefusesTheRest(Mode mode) {
        try (FsDriver fs = driver(mode, "rename")) {
            fs.create("x", "X");
            fs.create("y", "Y");
            long xIno = fs.stat("x").ino();
            fs.rename("x", "y");
            assertEquals("X", fs.read("y"), "the source replaced the target");
            assertEquals(xIno, fs.stat("y").ino(), "the same node under its new name");
            assertEquals("ENOENT", outcome(() -> fs.stat("x")));
            fs.rename("y", "y");
            assertEquals("X", fs.read("y"), "a rename onto itself changes nothing");
            fs.mkdir("d1", 0755);
            fs.mkdir("d2", 0755);
            fs.create("d2/inner", "i");
            assertEquals("EISDIR", outcome(() -> fs.rename("y", "d1")), "a file over a directory");
            assertEquals("ENOTDIR", outcome(() -> fs.rename("d1", "y")), "a directory over a file");
            assertEquals("ENOTEMPTY", outcome(() -> fs.rename("d1", "d2")), "over a non-empty directory");
            assertEquals("EINVAL", outcome(() -> fs.rename("d2", "d2/sub")), "into its own subtree");
            assertEquals("ENOENT", outcome(() -> fs.rename("missing", "z")));
            fs.rename("d2", "d1");
            assertEquals("i", fs.read("d1/inner"), "a directory over an empty one");
            assertEquals(List.of("d1", "y"), fs.list(""));
        }
    }

    @InEveryMode
    void hardLinksAreOneFileCountedOnEveryName(Mode mode) {
        try (FsDriver fs = driver(mode, "links")) {
            fs.create("a", "data");
            fs.mkdir("sub", 0755);
            fs.link("a", "sub/b");
            assertEquals(2, fs.stat("a").nlink());
            assertEquals(2, fs.stat("sub/b").nlink());
            assertEquals(fs.stat("a").ino(), fs.stat("sub/b").ino(), "both names are one node");
            fs.pwrite("sub/b", 0, "DATA");
            assertEquals("DATA", fs.read("a"), "a write through one name is read through the other");
            assertEquals("EEXIST", outcome(() -> fs.link("a", "sub/b")));
            assertEquals("ENOENT", outcome(() -> fs.link("missing", "c")));
            assertEquals("EPERM", outcome(() -> fs.link("sub", "sub-link")), "no hard links to directories");
            fs.unlink("a");
            assertEquals(1, fs.stat("sub/b").nlink());
            assertEquals("DATA", fs.read("sub/b"));
        }
    }

    @InEveryMode
    void symlinksKeepTheirTargetDanglingOrNotAndAreNotFollowedByLstat(Mode mode) {
        try (FsDriver fs = driver(mode, "symlinks")) {
            fs.create("file", "content");
            fs.symlink("file", "ln");
            fs.symlink("../no/such/target", "dangling");
            assertEquals("file", fs.readlink("ln"));
            assertEquals("../no/such/target", fs.readlink("dangling"));
            FsDriver.Stat st = fs.stat("dangling");
            assertEquals("symlink", st.type());
            assertEquals("../no/such/target".length(), st.size(), "a symlink's size is its target's length");
            assertEquals("EEXIST", outcome(() -> fs.symlink("x", "file")));
            assertEquals("EINVAL", outcome(() -> fs.readlink("file")), "readlink of a regular file");
            fs.unlink("ln");
            assertEquals("content", fs.read("file"), "removing a symlink leaves its target");
            assertEquals(List.of("dangling", "file"), fs.list(""));
        }
    }

    @InEveryMode
    void chmodSetsPermissionSetIdAndStickyBits(Mode mode) {
        try (FsDriver fs = driver(mode, "chmod")) {
            fs.create("f", "x");
            fs.mkdir("d", 0755);
            for (int m : new int[] {0640, 0, 04755, 02750, 0777}) {
                fs.chmod("f", m);
                assertEquals(m, fs.stat("f").perm(), "chmod " + Integer.toOctalString(m));
            }
            fs.chmod("d", 01777);
            assertEquals(01777, fs.stat("d").perm(), "the sticky bit on a directory");
            assertEquals("dir", fs.stat("d").type(), "chmod keeps the type");
            assertEquals("ENOENT", outcome(() -> fs.chmod("missing", 0600)));
        }
    }

    @InEveryMode
    void truncateShrinksAndGrowsWithZerosAndRefusesDirectories(Mode mode) {
        try (FsDriver fs = driver(mode, "truncate")) {
            fs.create("f", "0123456789");
            fs.truncate("f", 4);
            assertEquals("0123", fs.read("f"));
            fs.truncate("f", 8);
            assertEquals("0123\0\0\0\0", fs.read("f"), "growing adds zeros, not the old bytes");
            assertEquals(8, fs.stat("f").size());
            fs.truncate("f", 0);
            assertEquals("", fs.read("f"));
            fs.mkdir("d", 0755);
            assertEquals("EISDIR", outcome(() -> fs.truncate("d", 0)));
            assertEquals("ENOENT", outcome(() -> fs.truncate("missing", 0)));
        }
    }

    @InEveryMode
    void namesUpTo255BytesAreTakenAndLongerOnesAreTooLong(Mode mode) {
        try (FsDriver fs = driver(mode, "names")) {
            String longest = "n".repeat(255);
            fs.create(longest, "x");
            fs.mkdir("d".repeat(255), 0755);
            assertEquals(List.of("d".repeat(255), longest), fs.list(""));
            assertEquals("ENAMETOOLONG", outcome(() -> fs.create("n".repeat(256), "")));
            assertEquals("ENAMETOOLONG", outcome(() -> fs.mkdir("d".repeat(256), 0755)));
            assertEquals("ENAMETOOLONG", outcome(() -> fs.rename(longest, "m".repeat(256))));
            assertEquals("x", fs.read(longest), "a refused rename leaves the file");
        }
    }

    @InEveryMode
    void readdirListsEveryEntryOnceWithItsType(Mode mode) {
        try (FsDriver fs = driver(mode, "readdir")) {
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 150; i++) {
                String name = String.format("f%03d", i);
                fs.create(name, "");
                expected.add(name + " file");
            }
            for (int i = 0; i < 10; i++) {
                fs.mkdir("d" + i, 0755);
                expected.add("d" + i + " dir");
            }
            fs.symlink("f000", "link");
            expected.add("link symlink");
            fs.mkfifo("pipe");
            expected.add("pipe other");
            fs.unlink("f007");
            expected.remove("f007 file");
            expected.sort(null);
            assertEquals(expected, fs.entries(""), fs.describe());
            assertEquals("fifo", fs.stat("pipe").type());
        }
    }

    @InEveryMode
    void userExtendedAttributesAreCreatedReplacedListedAndRemoved(Mode mode) throws IOException {
        if (mode == Mode.PASSTHROUGH) {
            requireUserXattrs(PASSTHROUGH.backing(), "a passthrough stores them in BACKING");
        }
        try (FsDriver fs = driver(mode, "xattr")) {
            fs.create("f", "");
            fs.setxattr("f", "user.k", "v", 1);
            assertEquals(
                    "EEXIST", outcome(() -> fs.setxattr("f", "user.k", "v2", 1)), "XATTR_CREATE of an existing name");
            assertEquals(
                    "ENODATA", outcome(() -> fs.setxattr("f", "user.none", "v2", 2)), "XATTR_REPLACE of a missing one");
            fs.setxattr("f", "user.k", "v2", 2);
            fs.setxattr("f", "user.empty", "", 0);
            assertEquals("v2", fs.getxattr("f", "user.k"));
            assertEquals("", fs.getxattr("f", "user.empty"));
            assertEquals(List.of("user.empty", "user.k"), fs.listxattr("f"));
            fs.removexattr("f", "user.k");
            assertEquals("ENODATA", outcome(() -> fs.getxattr("f", "user.k")));
            assertEquals("ENODATA", outcome(() -> fs.removexattr("f", "user.k")));
            assertEquals(List.of("user.empty"), fs.listxattr("f"));
        }
    }

    @InEveryMode
    void aRemovedNameIsGoneWhileItsOtherNamesAndSiblingsStay(Mode mode) {
        try (FsDriver fs = driver(mode, "unlink")) {
            fs.create("keep", "k");
            fs.create("gone", "g");
            fs.link("gone", "other-name");
            fs.unlink("gone");
            assertEquals("ENOENT", outcome(() -> fs.read("gone")));
            assertEquals("ENOENT", outcome(() -> fs.unlink("gone")), "a second unlink");
            assertEquals("g", fs.read("other-name"));
            assertEquals(List.of("keep", "other-name"), fs.list(""));
            fs.create("gone", "new");
            assertNotEquals(
                    fs.stat("other-name").ino(), fs.stat("gone").ino(), "a new file under the old name is a new node");
        }
    }

    /** The transcript scenarios compare user.* xattrs; the plain directory they are compared with must hold them. */
    private static void requireUserXattrs(Path dir, String why) throws IOException {
        Path probe = Files.createTempFile(dir, "xattr-probe", "");
        try {
            Files.getFileAttributeView(probe, UserDefinedFileAttributeView.class)
                    .write("probe", ByteBuffer.wrap(new byte[] {1}));
        } catch (IOException | UnsupportedOperationException e) {
            Assumptions.abort(dir + " does not support user.* xattrs (" + e + "), and " + why);
        } finally {
            Files.delete(probe);
        }
    }

    // ------------------------------------------------------------------ transcript scenarios (plain directory vs
    // mount)

    @InMounts
    void directoriesMkdirRmdirModesAndTheirErrors(Mode mode) {
        scenario(mode, "dirs.py");
    }

    @InMounts
    void regularFilesCreateOpenReadWriteUnlinkAndTheirErrors(Mode mode) {
        scenario(mode, "files.py");
    }

    @InMounts
    void namesOver255BytesAndPathsOverPathMaxAreTooLong(Mode mode) {
        scenario(mode, "names.py");
    }

    @InMounts
    void renameReplacesAsPosixSaysAndCrossingTheMountIsExdev(Mode mode) {
        scenario(mode, "rename.py");
    }

    @InMounts
    void renameat2NoreplaceAndExchange(Mode mode) {
        scenario(mode, "rename2.c");
    }

    @InMounts
    void hardLinksCountOnEveryNameAndSymlinksResolve(Mode mode) {
        scenario(mode, "links.py");
    }

    @InMounts
    void chmodChownUtimensAndAccess(Mode mode) {
        scenario(mode, "attrs.py");
    }

    @InMounts
    void truncateAndFtruncate(Mode mode) {
        scenario(mode, "truncate.py");
    }

    @InMounts
    void extendedAttributesWithCreateAndReplaceFlags(Mode mode) throws IOException {
        requireUserXattrs(PASSTHROUGH.scratch(), "the plain directory the transcript is compared with is there");
        scenario(
                mode,
                "xattr.py",
                known("setxattr 4000-byte value", "OK", XATTR_SIZE),
                known("getxattr 4000-byte value", "OK 4000", XATTR_SIZE),
                known("setxattr 65536-byte value", "OK", XATTR_SIZE),
                known(
                        "final listxattr",
                        "OK \\['trusted\\.t', 'user\\.a', 'user\\.big', .*'user\\.huge', .*\\]",
                        XATTR_SIZE));
    }

    @InMounts
    void sparseFilesSeekDataSeekHoleAndFallocate(Mode mode) {
        scenario(
                mode,
                "sparse.py",
                known("blocks", "OK allocated>=size", NO_HOLES),
                known("SEEK_HOLE from 0", "OK 8388608", NO_HOLES),
                known("SEEK_DATA from 4096", "OK 4096", NO_HOLES),
                known("SEEK_HOLE from 1 MiB", "OK 8388608", NO_HOLES),
                known("SEEK_DATA past last data", "OK", NO_HOLES),
                known("SEEK_HOLE inside trailing hole", "OK 8388608", NO_HOLES),
                known("allocated tail is not a hole", "OK 10485760", NO_HOLES),
                known("fallocate KEEP_SIZE beyond EOF", "ENOTSUP", NO_HOLES),
                known("PUNCH_HOLE|KEEP_SIZE", "ENOTSUP", NO_HOLES),
                known("punched range reads zeros", "OK False", NO_HOLES + " (so the punched range keeps its data)"),
                known("SEEK_HOLE from 0 after punch", "OK 10485760", NO_HOLES),
                known("SEEK_DATA from 0 after punch", "OK 0", NO_HOLES),
                known("all-hole SEEK_DATA", "OK", NO_HOLES),
                known("all-hole SEEK_HOLE", "OK 67108864", NO_HOLES),
                known("all-hole blocks", "OK allocated>=size", NO_HOLES));
    }

    @InMounts
    void fifosDeviceNodesStatfsAndFsync(Mode mode) {
        scenario(
                mode,
                "special.py",
                known(
                        "statvfs",
                        "OK bsize=4096 frsize=4096 blocks=\\d+ files=4294967296 namemax=255",
                        "by design: a view's f_files is the engine's own node-id space (2^32, Engine.statfs), not the backing"
                                + " filesystem's inode table; f_ffree is not compared for any mount"));
    }

    @InMounts
    void writesPastTheFileSizeLimitAreEfbig(Mode mode) {
        scenario(mode, "efbig.py");
    }

    @InMounts
    void mmapSharedReadsAndWritesAndPrivateCopies(Mode mode) {
        scenario(mode, "mapping.py");
    }

    @InMounts
    void descriptorsAndMappingsOfOneFileSeeEachOthersChanges(Mode mode) {
        scenario(mode, "coherence.py");
    }

    @InMounts
    void forgottenInodesComeBackAsTheSameFiles(Mode mode) {
        scenario(mode, "forget.py");
    }

    @InMounts
    void readdirListsEveryEntryWithItsType(Mode mode) {
        scenario(mode, "readdir.py");
    }

    @InMounts
    void gitTarCpAndFindWorkAsOnALocalDirectory(Mode mode) {
        scenario(mode, "tools.sh", known("extracted sparse file", "size 8388608, sparse no", NO_HOLES));
    }

    @InMounts
    void binariesAndScriptsExecuteFromTheMount(Mode mode) {
        scenario(mode, "exec.sh");
    }
}
