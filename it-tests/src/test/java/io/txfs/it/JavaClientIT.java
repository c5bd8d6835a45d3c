package io.txfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.txfs.client.BeginResult;
import io.txfs.client.ChangeKind;
import io.txfs.client.CommitResult;
import io.txfs.client.DeltaChange;
import io.txfs.client.Diff;
import io.txfs.client.EntryState;
import io.txfs.client.FileType;
import io.txfs.client.Isolation;
import io.txfs.client.NotATxfsMountException;
import io.txfs.client.PublishConflictException;
import io.txfs.client.PublishResult;
import io.txfs.client.Step;
import io.txfs.client.StepResult;
import io.txfs.client.TxfsException;
import io.txfs.client.TxfsMount;
import io.txfs.client.ViewInfo;
import io.txfs.client.ViewSpec;
import io.txfs.client.ViewStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * fs-client (docs/client.md) on a live mount, as a build tool uses it: views begun from this JVM, which stays
 * outside them; real {@code /bin/sh} steps run in them; publish, its conflict as a typed exception with the
 * path, status and diff as typed objects that match what the steps wrote, abort, and commit into BACKING.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
final class JavaClientIT {
    @RegisterExtension
    static final MountFixture MOUNT = MountFixture.views().seeded(JavaClientIT::seed);

    private static void seed(Path backing) {
        try {
            Files.createDirectories(backing.resolve("out"));
            Files.createDirectories(backing.resolve("src"));
            Files.writeString(backing.resolve("src/config.txt"), "base\n");
            Files.writeString(backing.resolve("src/old.txt"), "old\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static TxfsMount mount() throws IOException {
        return TxfsMount.open(MOUNT.mountpoint());
    }

    /** {@code script} run by /bin/sh in {@code view}, from the mount's root; it must succeed. */
    private static StepResult sh(TxfsMount m, String view, String script) throws IOException {
        StepResult r = m.run(Step.of(view, "/bin/sh", "-c", script));
        assertEquals(0, r.exitCode(), "step in " + view + ": " + r);
        return r;
    }

    private static Optional<ViewInfo> listed(TxfsMount m, String view) throws IOException {
        return m.views().stream().filter(v -> v.name().equals(view)).findFirst();
    }

    /** git's blob id of {@code text}: what the canonical delta says a file's content is. */
    private static String blobId(String text) {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            sha1.update(("blob " + body.length + "\0").getBytes(StandardCharsets.US_ASCII));
            return HexFormat.of().formatHex(sha1.digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void theSecondOfTwoViewsThatWroteOnePathLosesNamingThatPath() throws IOException {
        TxfsMount m = mount();
        BeginResult a = m.begin(ViewSpec.named("jc-a"));
        assertTrue(a.created(), "a new view: " + a);
        assertTrue(m.begin(ViewSpec.named("jc-b")).created());
        assertFalse(m.begin(ViewSpec.named("jc-a")).created(), "begun again: the same view");

        StepResult ra = sh(m, "jc-a", "printf 'from a\\n' > out/shared.txt && echo wrote a");
        StepResult rb = sh(m, "jc-b", "printf 'from b\\n' > out/shared.txt && echo wrote b >&2");
        assertEquals("wrote a\n", ra.stdout());
        assertEquals("wrote b\n", rb.stderr());
        Path shared = MOUNT.mountpoint().resolve("out/shared.txt");
        assertFalse(Files.exists(shared), "this JVM, outside both views, sees neither before a publish");

        PublishResult published = m.publish("jc-a");
        assertEquals(1, published.changedPaths());
        assertEquals("from a\n", Files.readString(shared), "the first publish is visible to everyone");

        PublishConflictException lost = assertThrows(PublishConflictException.class, () -> m.publish("jc-b"));
        assertEquals("jc-b", lost.view());
        assertEquals(List.of("out/shared.txt"), lost.paths(), lost.getMessage());
        assertEquals("EBUSY", lost.errno());
        assertEquals("from a\n", Files.readString(shared), "nothing of the lost publish is visible");
        assertEquals(
                Map.of("out/shared.txt", ChangeKind.ADDED), m.status("jc-b").changes(), "the loser's view is intact");

        assertEquals(1, m.abort("jc-b").discardedPaths());
        assertEquals(Optional.empty(), listed(m, "jc-b"), "abort removed the view");
        TxfsException gone = assertThrows(TxfsException.class, () -> m.status("jc-b"));
        assertEquals("ENOENT", gone.errno(), gone.getMessage());
        m.abort("jc-a");
    }

    @Test
    void statusAndDiffDescribeWhatAStepWroteAndCommitPutsItInBacking() throws IOException {
        TxfsMount m = mount();
        m.begin(ViewSpec.named("jc-s"));
        String script = "printf 'changed\\n' > src/config.txt && rm src/old.txt && mkdir -m 0750 gen"
                + " && printf 'generated\\n' > gen/x.txt && chmod 0640 gen/x.txt";
        // the step's working directory is looked up inside its view: gen/ exists only there
        sh(m, "jc-s", script);
        StepResult inGen = m.run(Step.of("jc-s", "/bin/sh", "-c", "pwd; cat x.txt")
                .workingDirectory(MOUNT.mountpoint().resolve("gen")));
        assertEquals(MOUNT.mnt("gen") + "\ngenerated\n", inGen.stdout(), inGen.toString());

        ViewStatus s = m.status("jc-s");
        assertEquals(
                Map.of(
                        "src/config.txt", ChangeKind.MODIFIED,
                        "src/old.txt", ChangeKind.DELETED,
                        "gen", ChangeKind.ADDED,
                        "gen/x.txt", ChangeKind.ADDED),
                s.changes());
        assertEquals(4, s.changedPaths());
        for (var e : s.entries()) {
            switch (e.path()) {
                case "src/config.txt" -> {
                    assertEquals(Optional.of(new EntryState(FileType.REGULAR, 5, 0644)), e.before());
                    assertEquals(Optional.of(new EntryState(FileType.REGULAR, 8, 0644)), e.after());
                }
                case "src/old.txt" -> {
                    assertEquals(Optional.of(new EntryState(FileType.REGULAR, 4, 0644)), e.before());
                    assertEquals(Optional.empty(), e.after());
                }
                case "gen" ->
                    assertEquals(FileType.DIRECTORY, e.after().orElseThrow().type());
                default -> assertEquals(Optional.of(new EntryState(FileType.REGULAR, 10, 0640)), e.after());
            }
        }

        Diff d = m.diff("jc-s");
        assertEquals("sha1", d.objects());
        assertTrue(d.deltaId().matches("[0-9a-f]{40}"), d.deltaId());
        assertEquals(
                List.of("gen", "gen/x.txt", "src/config.txt", "src/old.txt"),
                d.changes().stream().map(DeltaChange::path).toList(),
                "one entry per path, sorted by path bytes");
        DeltaChange dir = d.changes().get(0);
        assertEquals(FileType.DIRECTORY, dir.type());
        assertEquals(OptionalInt.of(0750), dir.permissions());
        DeltaChange x = d.changes().get(1);
        assertEquals(ChangeKind.ADDED, x.change());
        assertEquals(OptionalInt.of(0640), x.permissions());
        assertEquals(OptionalLong.of(10), x.size());
        assertEquals(Optional.of(blobId("generated\n")), x.content());
        DeltaChange config = d.changes().get(2);
        assertEquals(ChangeKind.MODIFIED, config.change());
        assertEquals(Optional.of(blobId("changed\n")), config.content());
        assertEquals(ChangeKind.DELETED, d.changes().get(3).change());
        assertTrue(m.diffText("jc-s").contains("+changed\n"), m.diffText("jc-s"));

        CommitResult c = m.commit("jc-s");
        assertTrue(c.published().changedPaths() >= 4, c.toString());
        // the flush is a version of the log of its own, after the publish
        assertTrue(c.flushedVersion() > c.published().publishedVersion(), c.toString());
        Path backing = MOUNT.backing();
        assertEquals("changed\n", Files.readString(backing.resolve("src/config.txt")));
        assertEquals("generated\n", Files.readString(backing.resolve("gen/x.txt")));
        assertFalse(Files.exists(backing.resolve("src/old.txt")), "the deletion reached BACKING");
        ViewStatus after = m.status("jc-s");
        assertEquals(0, after.changedPaths(), "after the commit the view continues empty");
        assertEquals(c.flushedVersion(), after.flushedVersion());
        m.abort("jc-s");
    }

    @Test
    void aStepsExitStatusChildrenAndOptionsAreTheViews() throws IOException {
        TxfsMount m = mount();
        BeginResult rc = m.begin(ViewSpec.named("jc-rc").isolation(Isolation.READ_COMMITTED));
        assertEquals(Isolation.READ_COMMITTED, rc.isolation());
        assertEquals(Isolation.READ_COMMITTED, listed(m, "jc-rc").orElseThrow().isolation());

        // a failing step keeps what it and the process it started wrote, pending in the view
        StepResult failed = m.run(Step.of(
                        "jc-rc",
                        "/bin/sh",
                        "-c",
                        "mkdir out/made; (printf 'child\\n' > out/made/child.txt) & wait; echo \"$MARK\"; exit 7")
                .environment("MARK", "env passed"));
        assertEquals(7, failed.exitCode());
        assertFalse(failed.succeeded());
        assertEquals("env passed\n", failed.stdout());
        assertEquals(
                Map.of("out/made", ChangeKind.ADDED, "out/made/child.txt", ChangeKind.ADDED),
                m.status("jc-rc").changes());
        assertEquals(2, listed(m, "jc-rc").orElseThrow().changedPaths());

        // a working directory that exists only in another view's pending changes is not there in this one
        m.begin(ViewSpec.named("jc-other"));
        TxfsException missing = assertThrows(
                TxfsException.class,
                () -> m.run(Step.of("jc-other", "/bin/true")
                        .workingDirectory(MOUNT.mountpoint().resolve("out/made"))));
        assertEquals("ENOENT", missing.errno(), missing.getMessage());

        assertEquals(2, m.abort("jc-rc").discardedPaths());
        m.abort("jc-other");
        assertFalse(Files.exists(MOUNT.mountpoint().resolve("out/made")));
    }

    @Test
    void refusalsCarryTheirErrnoAndADirectoryWithoutMountIsNone() throws IOException {
        TxfsMount m = mount();
        TxfsException none = assertThrows(TxfsException.class, () -> m.publish("jc-never"));
        assertEquals("ENOENT", none.errno(), none.getMessage());
        assertFalse(none instanceof PublishConflictException);
        m.begin(ViewSpec.named("jc-clamped").mtimeClamp(1_000_000_000L));
        TxfsException other = assertThrows(
                TxfsException.class, () -> m.begin(ViewSpec.named("jc-clamped").mtimeClamp(2_000_000_000L)));
        assertEquals("EINVAL", other.errno(), "fixed options of an existing view: " + other.getMessage());
        m.abort("jc-clamped");
        assertThrows(NotATxfsMountException.class, () -> TxfsMount.open(MOUNT.scratch()));
    }
}
