package io.txfs.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which pairings of a backing and a state directory the daemon takes, and which it refuses (one line naming both). */
class BackingClaimTest {
    @TempDir
    Path tmp;

    Path backing;
    Path other;
    Path state;
    Path state2;

    @BeforeEach
    void dirs() throws IOException {
        backing = Files.createDirectory(tmp.resolve("backing")).toRealPath();
        other = Files.createDirectory(tmp.resolve("other")).toRealPath();
        state = Files.createDirectory(tmp.resolve("state"));
        state2 = Files.createDirectory(tmp.resolve("state2"));
    }

    private static void served(Path backing, Path state, boolean adopt) {
        BackingClaim.check(backing, state, adopt);
        BackingClaim.take(backing, state, adopt).close();
    }

    private static String refused(Path backing, Path state, boolean adopt, Path... named) {
        UserFacingException e =
                assertThrows(UserFacingException.class, () -> BackingClaim.check(backing, state, adopt));
        UserFacingException t = assertThrows(
                UserFacingException.class,
                () -> BackingClaim.take(backing, state, adopt).close());
        assertEquals(e.getMessage(), t.getMessage(), "the command and the daemon refuse alike");
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        for (Path p : named) {
            assertTrue(e.getMessage().contains(p.toString()), "the refusal names " + p + ": " + e.getMessage());
        }
        return e.getMessage();
    }

    @Test
    void aNewStateDirectoryIsBoundToItsBackingDirectoryAndServesItAgain() throws IOException {
        served(backing, state, false);
        assertTrue(Files.isRegularFile(state.resolve("backing")), "the state directory records its backing directory");
        String marker = Files.readString(backing.resolve(".txfs/owner"));
        assertTrue(marker.contains("state=" + state), marker);
        served(backing, state, false);
        assertEquals(marker, Files.readString(backing.resolve(".txfs/owner")), "a restart keeps the marker");
    }

    @Test
    void aStateDirectoryOfAnotherBackingDirectoryIsRefusedUnlessAdopted() throws IOException {
        served(backing, state, false);
        String why = refused(other, state, false, state, backing, other);
        assertTrue(why.contains("--adopt"), why);
        served(other, state, true);
        assertTrue(
                Files.readString(state.resolve("backing")).contains("path=" + other),
                "adopted: bound to the other directory");
        refused(backing, state, false, state, backing);
    }

    @Test
    void aSecondStateDirectoryForTheSameBackingIsRefusedUnlessAdopted() throws IOException {
        served(backing, state, false);
        String why = refused(backing, state2, false, backing, state, state2);
        assertTrue(why.contains("--adopt"), why);
        served(backing, state2, true);
        assertTrue(
                Files.readString(backing.resolve(".txfs/owner")).contains("state=" + state2),
                "the marker names the new owner");
        refused(backing, state, false, backing, state, state2);
    }

    @Test
    void aLiveDaemonWithAnotherStateDirectoryIsRefusedEvenWithAdopt() {
        try (BackingClaim live = BackingClaim.take(backing, state, false)) {
            String why = refused(backing, state2, true, backing, state, state2);
            assertTrue(why.contains("being served"), why);
        }
        served(backing, state2, true); // released (as by a daemon's death): adopt now takes it
    }

    @Test
    void aClaimWhoseStateDirectoryIsGoneDoesNotBlockAnother() throws IOException {
        served(backing, state, false);
        deleteTree(state);
        served(backing, state2, false);
    }

    @Test
    void aStateDirectoryWithoutARecordIsBoundSilently() throws IOException {
        Files.createDirectories(state.resolve("engine")); // as left by a version that kept no record
        served(backing, state, false);
        assertTrue(Files.readString(state.resolve("backing")).contains("path=" + backing));
    }

    @Test
    void aBackingDirectoryMadeAfreshAtTheSamePathIsAnotherDirectory() throws IOException {
        served(backing, state, false);
        deleteTree(backing);
        Files.createDirectory(backing);
        String why = refused(backing, state, false, backing, state);
        assertTrue(why.contains("--adopt"), why);
        served(backing, state, true);
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /**
     * Whoever owns BACKING may plant {@code .txfs}: as a symlink it would have the root daemon write its
     * marker (and create its lock) wherever the link points; as a directory of theirs they could link
     * {@code owner.tmp} to any file. Both are refused, and nothing is written at the link's target.
     */
    @Test
    void aPlantedMarkerDirectoryIsNeverFollowedNorTrusted() throws IOException {
        Path target = Files.createDirectory(tmp.resolve("target"));
        Path victim = Files.writeString(target.resolve("owner.tmp"), "precious\n");
        Files.createSymbolicLink(backing.resolve(".txfs"), target);
        String why = refused(backing, state, false, backing.resolve(".txfs"));
        assertTrue(why.contains("symlink"), why);
        assertEquals(List.of("owner.tmp"), names(target), "nothing was created at the link's target");
        assertEquals("precious\n", Files.readString(victim));

        Files.delete(backing.resolve(".txfs"));
        Path planted = Files.createDirectory(backing.resolve(".txfs"));
        Files.createSymbolicLink(planted.resolve("owner.tmp"), victim);
        Files.setAttribute(planted, "unix:uid", 4242);
        assertTrue(refused(backing, state, false, planted).contains("uid 4242"));
        Files.setAttribute(planted, "unix:uid", 0);
        Files.setPosixFilePermissions(planted, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertTrue(refused(backing, state, false, planted).contains("mode 777"));
        assertEquals("precious\n", Files.readString(victim));
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
