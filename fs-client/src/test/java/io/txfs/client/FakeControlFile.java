package io.txfs.client;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A regular file standing in for {@code MOUNT/.txfs/ctl} in unit tests: it holds as many filler bytes as the
 * expected command line, then the reply. Writing the command at offset 0 overwrites exactly the filler, and
 * reading on from there returns the reply to EOF, as the daemon's file does. Afterwards the file starts with
 * what was really written, which {@link #written} returns.
 */
final class FakeControlFile {
    private final Path ctl;
    private final int lineBytes;

    private FakeControlFile(Path ctl, int lineBytes) {
        this.ctl = ctl;
        this.lineBytes = lineBytes;
    }

    /** A mount at {@code mount} whose control file answers {@code reply} to {@code line} (newline added). */
    static FakeControlFile answering(Path mount, String line, String reply) throws IOException {
        Path ctl = Files.createDirectories(mount.resolve(".txfs")).resolve("ctl");
        int n = (line + "\n").getBytes(StandardCharsets.UTF_8).length;
        Files.writeString(ctl, "#".repeat(n) + reply + "\n");
        return new FakeControlFile(ctl, n);
    }

    /** The bytes the client wrote where the filler was. */
    String written() throws IOException {
        byte[] all = Files.readAllBytes(ctl);
        return new String(all, 0, lineBytes, StandardCharsets.UTF_8);
    }

    ControlFile control() {
        return new ControlFile(ctl);
    }
}
