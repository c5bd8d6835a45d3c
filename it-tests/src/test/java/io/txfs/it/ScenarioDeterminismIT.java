package io.txfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The comparison harness checked against itself, without FUSE: every scenario run in two fresh plain
 * directories must print the same transcript, or a difference on the mount would prove nothing.
 * (big.sh is left out: 1 GiB twice more buys nothing that its expectations do not already check.)
 */
class ScenarioDeterminismIT {
    @TempDir
    Path temp;

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
                "tools.sh",
                "forget.py",
                "perms.sh"
            })
    void aScenarioPrintsTheSameTranscriptInTwoPlainDirectories(String scenario) throws IOException {
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path outside = TranscriptComparison.freshDirectory(
                Path.of("/dev/shm"), "txfs-it-det-" + ProcessHandle.current().pid() + "-" + scenario);
        try {
            ProcessRun first = Scenarios.run(
                    scenario,
                    TranscriptComparison.freshDirectory(temp, "first"),
                    TranscriptComparison.freshDirectory(outside, "first"),
                    TranscriptComparison.DEFAULT_TIMEOUT);
            TranscriptComparison.assertNativeRunIsValid(scenario, first);
            ProcessRun second = Scenarios.run(
                    scenario,
                    TranscriptComparison.freshDirectory(temp, "second"),
                    TranscriptComparison.freshDirectory(outside, "second"),
                    TranscriptComparison.DEFAULT_TIMEOUT);
            assertEquals(
                    first.stdout(),
                    second.stdout(),
                    () -> "scenario " + scenario + " is not deterministic:\n"
                            + LineDiff.of(first.stdout(), second.stdout()));
        } finally {
            TranscriptComparison.deleteTree(outside);
        }
    }
}
