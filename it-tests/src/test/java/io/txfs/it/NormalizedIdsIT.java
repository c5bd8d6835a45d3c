package io.txfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Normalized ids through a live mount (docs/reproducibility.md, "Normalized ids"): two views that build
 * the same signed kernel module and the same jar at different times, with different signing keys, have
 * different raw ids and equal normalized ones, in {@code txfs hash}, {@code status --canonical},
 * {@code diff} and {@code export}.
 */
final class NormalizedIdsIT {
    @RegisterExtension
    static final MountFixture MOUNT = MountFixture.views();

    private static final String RULES = """
            # signed modules differ only in their signature; jars in their entry times
            **/*.ko module-signature
            *.jar   zip-timestamps
            """;

    private static ProcessRun cli(String... args) {
        return ProcessRun.run(MountFixture.command(args), MOUNT.scratch(), Map.of(), MountFixture.CLI_DEADLINE);
    }

    private static JsonNode json(ProcessRun r) {
        assertTrue(r.succeeded(), r.describe());
        try {
            return new ObjectMapper().readTree(r.stdout());
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + r.describe(), e);
        }
    }

    /** An ELF64 relocatable object: what a module is before scripts/sign-file appends its signature. */
    private static byte[] module() {
        ByteBuffer h = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        h.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0}).put(new byte[8]);
        h.putShort((short) 1).putShort((short) 62).putInt(1);
        h.putLong(0).putLong(0).putLong(0).putInt(0).putShort((short) 64);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(h.array());
        out.writeBytes("hello_init hello_exit license=GPL\0".getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    /** The module signed with a new RSA key, laid out as the kernel's module_signature.h says. */
    private static byte[] signed(byte[] module) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        Signature s = Signature.getInstance("SHA256withRSA");
        s.initSign(g.generateKeyPair().getPrivate());
        s.update(module);
        byte[] sig = s.sign();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(module);
        out.writeBytes(sig);
        out.writeBytes(
                ByteBuffer.allocate(12).put(2, (byte) 2).putInt(8, sig.length).array());
        out.writeBytes("~Module signature appended~\n".getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    private static void jar(Path file, long millis) throws IOException {
        try (OutputStream f = Files.newOutputStream(file);
                ZipOutputStream z = new ZipOutputStream(new BufferedOutputStream(f))) {
            for (String name : List.of("META-INF/MANIFEST.MF", "app/Main.class")) {
                ZipEntry e = new ZipEntry(name);
                e.setLastModifiedTime(FileTime.fromMillis(millis));
                z.putNextEntry(e);
                z.write(name.getBytes(StandardCharsets.UTF_8));
                z.closeEntry();
            }
        }
    }

    /** A view that installs this build's outputs: the module, the jar and a plain file. */
    private static void build(String view, long jarTime, String note) throws Exception {
        Path out = Files.createDirectories(MOUNT.scratch().resolve("out-" + view));
        Files.write(out.resolve("hello.ko"), signed(module()));
        jar(out.resolve("app.jar"), jarTime);
        String mnt = MOUNT.mountpoint().toString();
        ProcessRun r = cli(
                "run",
                "--mount",
                mnt,
                "--view",
                view,
                "--",
                "/bin/sh",
                "-c",
                "set -e; mkdir -p \"$0/lib/modules\"; cp \"$1/hello.ko\" \"$0/lib/modules/\";"
                        + " cp \"$1/app.jar\" \"$0/\"; printf '%s\\n' \"$2\" > \"$0/NOTE\"",
                mnt,
                out.toString(),
                note);
        assertTrue(r.succeeded(), r.describe());
    }

    @Test
    void twoSignedBuildsHaveOneNormalizedIdAndDeltaId() throws Exception {
        String mnt = MOUNT.mountpoint().toString();
        build("signed-a", 1_600_000_000_000L, "same");
        build("signed-b", 1_700_000_000_000L, "same");
        Path rules = MOUNT.scratch().resolve("rules");
        Files.writeString(rules, RULES);

        // hash: raw ids differ, normalized ids are equal and say so
        String rawA = cli("hash", "--mount", mnt, "--view", "signed-a").stdout().trim();
        String rawB = cli("hash", "--mount", mnt, "--view", "signed-b").stdout().trim();
        assertNotEquals(rawA, rawB);
        ProcessRun normA = cli("hash", "--mount", mnt, "--view", "signed-a", "--normalize", rules.toString());
        ProcessRun normB = cli("hash", "--mount", mnt, "--view", "signed-b", "--normalize", rules.toString());
        assertTrue(normA.succeeded(), normA.describe());
        assertEquals(normA.stdout(), normB.stdout());
        assertTrue(normA.stdout().trim().matches("[0-9a-f]{40} normalized:[0-9a-f]{16}"), normA.stdout());
        JsonNode h = json(cli("hash", "--mount", mnt, "--view", "signed-a", "--normalize", rules.toString(), "--json"));
        assertEquals(normA.stdout().trim().split(" ")[0], h.path("id").asText());
        assertTrue(h.path("rules").asText().contains("**/*.ko module-signature"), h.toString());
        assertEquals(0, h.path("not_normalized").size(), h.toString());

        // the pending deltas: raw delta ids differ, normalized ones are equal (status and diff agree)
        JsonNode sa = json(cli("status", "--mount", mnt, "signed-a", "--canonical", "--json"));
        JsonNode sb = json(cli("status", "--mount", mnt, "signed-b", "--canonical", "--json"));
        assertNotEquals(sa.path("delta_id").asText(), sb.path("delta_id").asText());
        JsonNode na = json(
                cli("status", "--mount", mnt, "signed-a", "--canonical", "--normalize", rules.toString(), "--json"));
        JsonNode nb = json(
                cli("diff", "--mount", mnt, "signed-b", "--format=jsonl", "--normalize", rules.toString(), "--json"));
        assertEquals(na.path("delta_id").asText(), nb.path("delta_id").asText());
        assertEquals(h.path("normalized_by").asText(), na.path("normalized_by").asText());
        ProcessRun statusText =
                cli("status", "--mount", mnt, "signed-a", "--canonical", "--normalize", rules.toString());
        assertTrue(
                statusText.stdout().contains("# delta id " + na.path("delta_id").asText() + " normalized:"),
                statusText.describe());

        // the text diff leaves out what normalizing made equal, not what really changed
        ProcessRun diff = cli("diff", "--mount", mnt, "signed-a", "--normalize", rules.toString());
        assertTrue(diff.succeeded(), diff.describe());
        assertTrue(diff.stdout().contains("b/NOTE"), diff.stdout());
        ProcessRun rawDiff = cli("diff", "--mount", mnt, "signed-a");
        assertTrue(rawDiff.stdout().contains("hello.ko"), rawDiff.stdout());

        // export carries the module as it was before signing
        Path tar = MOUNT.scratch().resolve("normalized.tar");
        ProcessRun export =
                cli("export", "--mount", mnt, "signed-a", "--normalize", rules.toString(), "-o", tar.toString());
        assertTrue(export.succeeded(), export.describe());
        ProcessRun list = MOUNT.run(MOUNT.scratch(), List.of("tar", "-tvf", tar.toString()));
        assertTrue(list.succeeded(), list.describe());
        String koLine = list.stdout()
                .lines()
                .filter(l -> l.endsWith("lib/modules/hello.ko"))
                .findFirst()
                .orElseThrow();
        assertTrue(koLine.contains(" " + module().length + " "), "the module without its signature: " + koLine);

        // a real difference still shows
        build("signed-c", 1_600_000_000_000L, "different");
        JsonNode nc = json(
                cli("status", "--mount", mnt, "signed-c", "--canonical", "--normalize", rules.toString(), "--json"));
        assertNotEquals(na.path("delta_id").asText(), nc.path("delta_id").asText());
    }

    @Test
    void badRulesAreRefusedWithTheLineAndChangeNothing() throws Exception {
        String mnt = MOUNT.mountpoint().toString();
        Path rules = MOUNT.scratch().resolve("bad-rules");
        Files.writeString(rules, "*.ko module-signature\n*.so strip-everything\n");
        ProcessRun r = cli("hash", "--mount", mnt, "--published", "--normalize", rules.toString());
        assertFalse(r.succeeded(), r.describe());
        assertTrue(r.stderr().contains("line 2") && r.stderr().contains("strip-everything"), r.describe());
        assertTrue(cli("hash", "--mount", mnt, "--published").succeeded(), "the mount still answers");
        ProcessRun missing = cli(
                "hash",
                "--mount",
                mnt,
                "--normalize",
                MOUNT.scratch().resolve("nope").toString());
        assertFalse(missing.succeeded());
        assertTrue(missing.stderr().contains("cannot read the rules file"), missing.describe());
    }
}
