package io.txfs.core.inspect.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The image layout's digests, recomputed from the files: every blob is named by its content's sha256. */
class OciImageLayoutTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private static String sha256(byte[] b) throws Exception {
        return "sha256:"
                + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    private static JsonNode blob(Path dir, String digest) throws IOException {
        return JSON.readTree(Files.readAllBytes(dir.resolve("blobs/sha256").resolve(digest.substring(7))));
    }

    @Test
    void indexManifestConfigAndLayerNameEachOtherByDigest() throws Exception {
        Path dir = tmp.resolve("layout");
        byte[] layer = new byte[3 * 512 * 1000 + 512];
        for (int i = 0; i < layer.length; i++) {
            layer[i] = (byte) (i * 7);
        }
        OciImageLayout layout = OciImageLayout.create(dir);
        try (OutputStream out = layout.layer()) {
            for (int off = 0; off < layer.length; off += 10_000) {
                out.write(layer, off, Math.min(10_000, layer.length - off));
            }
        }
        OciImageLayout.Result r = layout.finish(Map.of("io.txfs.delta-id", "sha1:abc"), "v1");

        assertEquals("{\"imageLayoutVersion\":\"1.0.0\"}", Files.readString(dir.resolve("oci-layout")));
        try (Stream<Path> blobs = Files.list(dir.resolve("blobs/sha256"))) {
            List<Path> all = blobs.toList();
            assertEquals(3, all.size(), "layer, config, manifest and nothing partial: " + all);
            for (Path p : all) {
                assertEquals("sha256:" + p.getFileName(), sha256(Files.readAllBytes(p)), p + " is named by its digest");
            }
        }
        JsonNode index = JSON.readTree(Files.readAllBytes(dir.resolve("index.json")));
        assertEquals(2, index.get("schemaVersion").asInt());
        JsonNode m = index.get("manifests").get(0);
        assertEquals(OciImageLayout.MANIFEST_MEDIA_TYPE, m.get("mediaType").asText());
        assertEquals(
                "v1",
                m.get("annotations").get("org.opencontainers.image.ref.name").asText());
        assertEquals(
                Files.size(dir.resolve("blobs/sha256")
                        .resolve(m.get("digest").asText().substring(7))),
                m.get("size").asLong());

        JsonNode manifest = blob(dir, m.get("digest").asText());
        JsonNode l = manifest.get("layers").get(0);
        assertEquals(sha256(layer), l.get("digest").asText());
        assertEquals(sha256(layer), r.layerDigest());
        assertEquals(layer.length, l.get("size").asLong());
        assertEquals(OciImageLayout.LAYER_MEDIA_TYPE, l.get("mediaType").asText());
        assertEquals("sha1:abc", l.get("annotations").get("io.txfs.delta-id").asText());

        JsonNode config = blob(dir, manifest.get("config").get("digest").asText());
        assertEquals("linux", config.get("os").asText());
        assertEquals("layers", config.get("rootfs").get("type").asText());
        assertEquals(
                sha256(layer),
                config.get("rootfs").get("diff_ids").get(0).asText(),
                "uncompressed: the diff id is the digest");
    }

    @Test
    void aLayoutGoesOnlyIntoANewOrEmptyDirectory() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("used"));
        Files.writeString(dir.resolve("something"), "x");
        IOException e = assertThrows(IOException.class, () -> OciImageLayout.create(dir));
        assertTrue(e.getMessage().contains("not empty"), e.getMessage());
    }

    @Test
    void anAbandonedLayoutLeavesNoPartialBlob() throws Exception {
        Path dir = tmp.resolve("abandoned");
        OciImageLayout layout = OciImageLayout.create(dir);
        layout.layer().write(new byte[100]);
        layout.abandon();
        try (Stream<Path> blobs = Files.list(dir.resolve("blobs/sha256"))) {
            assertEquals(0, blobs.count());
        }
    }
}
