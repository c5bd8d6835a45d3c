package io.txfs.core.inspect.normalize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.txfs.core.inspect.Glob;
import io.txfs.core.inspect.ObjectFormat;
import io.txfs.core.inspect.TreeHasher;
import io.txfs.core.inspect.TreeIdOptions;
import io.txfs.core.inspect.TreePath;
import io.txfs.core.inspect.TreeSource;
import io.txfs.core.inspect.dir.DirectoryTreeSource;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.util.Arrays;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Normalized tree ids (docs/reproducibility.md, "Normalized ids"): files that differ only where a rule
 * says it does not matter get one id; the raw ids still differ; every other difference still shows.
 */
class NormalizedIdsTest {
    @TempDir
    Path dir;

    private static final TreeHasher GIT = new TreeHasher(TreeIdOptions.git(ObjectFormat.SHA1));

    private String id(Path root, String rules) throws IOException {
        TreeSource s = new DirectoryTreeSource(root);
        if (rules != null) s = new NormalizingTreeSource(s, NormalizationRules.parse(rules));
        return GIT.hash(s, TreePath.root()).hex();
    }

    private Path tree(String name) throws IOException {
        return Files.createDirectories(dir.resolve(name));
    }

    // ---------------------------------------------------------------- module-signature

    /** A small but well-formed ELF64 relocatable object, as a module is before signing. */
    private static byte[] elfObject(String payload) {
        ByteBuffer h = ByteBuffer.allocate(64).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        h.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0}).put(new byte[8]);
        h.putShort((short) 1); // ET_REL
        h.putShort((short) 62); // EM_X86_64
        h.putInt(1); // EV_CURRENT
        h.putLong(0).putLong(0).putLong(0); // entry, phoff, shoff
        h.putInt(0).putShort((short) 64).putShort((short) 0).putShort((short) 0);
        h.putShort((short) 64).putShort((short) 0).putShort((short) 0);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(h.array());
        out.writeBytes(payload.getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    /** The module with a signature appended as scripts/sign-file appends it. */
    private static byte[] signed(byte[] module, KeyPair key) throws Exception {
        Signature s = Signature.getInstance("SHA256withRSA");
        s.initSign(key.getPrivate());
        s.update(module);
        byte[] sig = s.sign();
        ByteBuffer info = ByteBuffer.allocate(12); // big-endian sig_len, as the kernel's __be32
        info.put((byte) 0).put((byte) 0).put((byte) ModuleSignatureNormalizer.PKEY_ID_PKCS7);
        info.put((byte) 0).put((byte) 0).put(new byte[3]).putInt(sig.length);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(module);
        out.writeBytes(sig);
        out.writeBytes(info.array());
        out.writeBytes(ModuleSignatureNormalizer.MAGIC);
        return out.toByteArray();
    }

    private static KeyPair rsa() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        return g.generateKeyPair();
    }

    @Test
    void twoSignedBuildsOfOneModuleHaveOneNormalizedId() throws Exception {
        byte[] module = elfObject("init_module exit_module license=GPL");
        Path a = tree("a"), b = tree("b"), unsigned = tree("unsigned");
        Files.createDirectories(a.resolve("lib/modules"));
        Files.createDirectories(b.resolve("lib/modules"));
        Files.createDirectories(unsigned.resolve("lib/modules"));
        Files.write(a.resolve("lib/modules/hello.ko"), signed(module, rsa()));
        Files.write(b.resolve("lib/modules/hello.ko"), signed(module, rsa()));
        Files.write(unsigned.resolve("lib/modules/hello.ko"), module);
        String rules = "# signed modules differ only in their signature\n**/*.ko module-signature\n";

        assertNotEquals(id(a, null), id(b, null), "the raw ids differ: two keys, two signatures");
        assertEquals(id(a, rules), id(b, rules), "the normalized ids are equal");
        assertEquals(id(unsigned, null), id(a, rules), "normalized is the module as it was before signing");
        assertEquals(id(unsigned, null), id(unsigned, rules), "an unsigned module is left as it is");

        Files.write(b.resolve("lib/modules/hello.ko"), signed(elfObject("init_module exit_module license=MIT"), rsa()));
        assertNotEquals(id(a, rules), id(b, rules), "a different module still differs");
    }

    @Test
    void aDamagedTrailerIsHashedAsItIsAndReported() throws Exception {
        byte[] s = signed(elfObject("x"), rsa());
        ByteBuffer.wrap(s).putInt(s.length - 28 - 4, 1 << 30); // a sig_len beyond the file
        Path a = tree("a");
        Files.write(a.resolve("m.ko"), s);
        NormalizingTreeSource src = new NormalizingTreeSource(
                new DirectoryTreeSource(a), NormalizationRules.parse("*.ko module-signature"));
        assertEquals(id(a, null), GIT.hash(src, TreePath.root()).hex(), "hashed raw");
        assertEquals(1, src.notNormalized().size(), "and listed: " + src.notNormalized());
        assertTrue(
                src.notNormalized().get(0).startsWith("m.ko: "),
                src.notNormalized().get(0));
    }

    // ---------------------------------------------------------------- zip-timestamps

    private static void jar(Path file, long millis, String content, int entries) throws IOException {
        try (OutputStream f = Files.newOutputStream(file);
                ZipOutputStream z = new ZipOutputStream(new BufferedOutputStream(f))) {
            for (int i = 0; i < entries; i++) {
                ZipEntry e = new ZipEntry("dir/entry" + i + ".txt");
                e.setTime(millis + i * 2000L);
                // an extended-timestamp extra field too, as jar(1) and many tools write
                e.setLastModifiedTime(FileTime.fromMillis(millis + i * 2000L + 1000));
                z.putNextEntry(e);
                z.write((content + i).getBytes(StandardCharsets.UTF_8));
                z.closeEntry();
            }
        }
    }

    @Test
    void jarsThatDifferOnlyInEntryTimesHaveOneNormalizedId() throws Exception {
        Path a = tree("a"), b = tree("b");
        jar(a.resolve("app.jar"), 1_600_000_000_000L, "class bytes ", 3);
        jar(b.resolve("app.jar"), 1_700_000_000_000L, "class bytes ", 3);
        String rules = "*.jar zip-timestamps";
        assertNotEquals(id(a, null), id(b, null));
        assertEquals(id(a, rules), id(b, rules));
        try (ZipFile z = new ZipFile(a.resolve("app.jar").toFile())) {
            assertEquals(3, z.size(), "the input is a real zip");
        }
        jar(b.resolve("app.jar"), 1_700_000_000_000L, "other bytes ", 3);
        assertNotEquals(id(a, rules), id(b, rules), "different entries still differ");
    }

    @Test
    void zip64ArchivesToo() throws Exception {
        Path a = tree("a"), b = tree("b");
        // more than 65535 entries: ZipOutputStream writes zip64 end records
        jar(a.resolve("big.zip"), 1_600_000_000_000L, "", 66_000);
        jar(b.resolve("big.zip"), 1_650_000_000_000L, "", 66_000);
        assertNotEquals(id(a, null), id(b, null));
        assertEquals(id(a, "*.zip zip-timestamps"), id(b, "*.zip zip-timestamps"));
    }

    @Test
    void aFileThatIsNoZipIsHashedAsItIs() throws Exception {
        Path a = tree("a");
        Files.writeString(a.resolve("fake.jar"), "not a zip");
        NormalizingTreeSource src =
                new NormalizingTreeSource(new DirectoryTreeSource(a), NormalizationRules.parse("*.jar zip-timestamps"));
        assertEquals(id(a, null), GIT.hash(src, TreePath.root()).hex());
        assertEquals(1, src.notNormalized().size());
    }

    // ---------------------------------------------------------------- byte-range and text-regex

    @Test
    void aByteRangeReadsAsZeros() throws Exception {
        byte[] x = new byte[200];
        Arrays.fill(x, (byte) 7);
        byte[] y = x.clone();
        for (int i = 64; i < 96; i++) y[i] = (byte) i;
        Path a = tree("a"), b = tree("b");
        Files.createDirectories(a.resolve("bin"));
        Files.createDirectories(b.resolve("bin"));
        Files.write(a.resolve("bin/tool"), x);
        Files.write(b.resolve("bin/tool"), y);
        assertNotEquals(id(a, null), id(b, null));
        assertEquals(id(a, "bin/tool byte-range 64:32"), id(b, "bin/tool byte-range 64:32"));
        assertNotEquals(id(a, "bin/tool byte-range 64:31"), id(b, "bin/tool byte-range 64:31"), "one byte left");
        assertNotEquals(id(a, "tool byte-range 64:32"), id(b, "bin/other byte-range 64:32"), "another path");
    }

    @Test
    void textMatchesAreReplaced() throws Exception {
        Path a = tree("a"), b = tree("b");
        Files.writeString(a.resolve("version.h"), "#define BUILT \"2026-12-07\"\n#define V 1\n");
        Files.writeString(b.resolve("version.h"), "#define BUILT \"2025-01-31\"\n#define V 1\n");
        String rules = "*.h text-regex [0-9]{4}-[0-9]{2}-[0-9]{2} DATE";
        assertNotEquals(id(a, null), id(b, null));
        assertEquals(id(a, rules), id(b, rules));
        Path c = tree("c");
        Files.writeString(c.resolve("version.h"), "#define BUILT \"DATE\"\n#define V 1\n");
        assertEquals(id(c, null), id(a, rules), "the replacement is what is hashed");
    }

    // ---------------------------------------------------------------- the rules file

    @Test
    void globsMatchFromTheRoot() {
        Glob anyJar = new Glob("*.jar");
        assertTrue(anyJar.matches(TreePath.of("a.jar")));
        assertTrue(anyJar.matches(TreePath.of("x/y/a.jar")), "no '/': any depth");
        assertFalse(anyJar.matches(TreePath.of("a.jar/b")));
        Glob ko = new Glob("**/*.ko");
        assertTrue(ko.matches(TreePath.of("m.ko")), "**/ is zero or more directories");
        assertTrue(ko.matches(TreePath.of("lib/modules/6.1/m.ko")));
        Glob tool = new Glob("bin/tool");
        assertTrue(tool.matches(TreePath.of("bin/tool")));
        assertFalse(tool.matches(TreePath.of("x/bin/tool")), "with '/': from the root");
        assertTrue(new Glob("src/[a-c]?.txt").matches(TreePath.of("src/b1.txt")));
        assertFalse(new Glob("src/[a-c]?.txt").matches(TreePath.of("src/d1.txt")));
    }

    @Test
    void badRulesAreRefusedWithTheirLine() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> NormalizationRules.parse("# ok\n*.ko module-signature\n*.x squash\n"));
        assertTrue(e.getMessage().contains("line 3") && e.getMessage().contains("squash"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> NormalizationRules.parse("f byte-range 12"));
        assertThrows(IllegalArgumentException.class, () -> NormalizationRules.parse("f byte-range -1:3"));
        assertThrows(IllegalArgumentException.class, () -> NormalizationRules.parse("f text-regex ("));
        assertThrows(IllegalArgumentException.class, () -> NormalizationRules.parse("f module-signature extra"));
        assertThrows(IllegalArgumentException.class, () -> NormalizationRules.parse("# nothing\n\n"));
    }

    @Test
    void theRulesIdIgnoresCommentsAndSpacing() {
        NormalizationRules a = NormalizationRules.parse("*.ko module-signature\n*.jar zip-timestamps\n");
        NormalizationRules b = NormalizationRules.parse("# mine\n*.ko\tmodule-signature\n\n  *.jar   zip-timestamps");
        NormalizationRules c = NormalizationRules.parse("*.jar zip-timestamps\n*.ko module-signature\n");
        assertEquals(a.id(), b.id());
        assertNotEquals(a.id(), c.id(), "order matters: rules apply in order");
        assertEquals(16, a.id().length());
    }
}
