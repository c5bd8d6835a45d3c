package io.txfs.core.inspect.oci;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/**
 * An OCI image-layout directory holding one layer (image-spec v1.1 "image-layout"): {@code oci-layout},
 * {@code index.json}, and under {@code blobs/sha256/} the layer tar, a config whose
 * {@code rootfs.diff_ids} names it and a manifest. The layer is uncompressed, so its digest is its
 * diff id. The layer is written through {@link #layer()} as it arrives (any size, nothing held in
 * memory); {@link #finish} writes the rest. See docs/inspection.md.
 */
public final class OciImageLayout {
    public static final String LAYER_MEDIA_TYPE = "application/vnd.oci.image.layer.v1.tar";
    public static final String CONFIG_MEDIA_TYPE = "application/vnd.oci.image.config.v1+json";
    public static final String MANIFEST_MEDIA_TYPE = "application/vnd.oci.image.manifest.v1+json";
    public static final String INDEX_MEDIA_TYPE = "application/vnd.oci.image.index.v1+json";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What was written: digests as {@code sha256:HEX}. */
    public record Result(String layerDigest, long layerSize, String configDigest, String manifestDigest) {}

    private final Path dir;
    private final Path blobs;
    private final Path partial;
    private final MessageDigest digest;
    private final CountingOutputStream layer;
    private boolean finished;

    private OciImageLayout(Path dir) throws IOException {
        this.dir = dir;
        this.blobs = dir.resolve("blobs").resolve("sha256");
        Files.createDirectories(blobs);
        this.partial = Files.createTempFile(blobs, ".layer-", ".partial");
        this.digest = sha256();
        this.layer = new CountingOutputStream(new DigestOutputStream(Files.newOutputStream(partial), digest));
    }

    /** Starts a layout in {@code dir}, which must be absent or empty (a layout is never merged into another). */
    public static OciImageLayout create(Path dir) throws IOException {
        if (Files.exists(dir)) {
            if (!Files.isDirectory(dir)) {
                throw new IOException(dir + " exists and is not a directory");
            }
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
                if (entries.iterator().hasNext()) {
                    throw new IOException(dir + " is not empty: an image layout goes into a new or empty directory");
                }
            }
        }
        return new OciImageLayout(dir);
    }

    /** Where the layer tar goes; closed by {@link #finish}. */
    public OutputStream layer() {
        return layer;
    }

    /**
     * Names the layer blob by its digest and writes config, manifest, index and {@code oci-layout}.
     *
     * @param layerAnnotations on the layer's descriptor in the manifest (txfs puts the delta id there)
     * @param refName          {@code org.opencontainers.image.ref.name} of the manifest in the index
     */
    public Result finish(Map<String, String> layerAnnotations, String refName) throws IOException {
        if (finished) {
            throw new IllegalStateException("already finished");
        }
        finished = true;
        layer.close();
        String layerDigest = "sha256:" + HexFormat.of().formatHex(digest.digest());
        // the temporary file was private while partial; a finished blob is as readable as the others
        Files.setPosixFilePermissions(partial, PosixFilePermissions.fromString("rw-r--r--"));
        Files.move(partial, blob(layerDigest), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);

        ObjectNode config = JSON.createObjectNode();
        config.put("architecture", goArch()).put("os", "linux");
        config.putObject("config");
        ObjectNode rootfs = config.putObject("rootfs").put("type", "layers");
        rootfs.putArray("diff_ids").add(layerDigest);
        Descriptor configBlob = writeBlob(config);

        ObjectNode manifest = JSON.createObjectNode();
        manifest.put("schemaVersion", 2).put("mediaType", MANIFEST_MEDIA_TYPE);
        manifest.putObject("config")
                .put("mediaType", CONFIG_MEDIA_TYPE)
                .put("digest", configBlob.digest)
                .put("size", configBlob.size);
        ObjectNode layerNode = manifest.putArray("layers")
                .addObject()
                .put("mediaType", LAYER_MEDIA_TYPE)
                .put("digest", layerDigest)
                .put("size", layer.count());
        if (!layerAnnotations.isEmpty()) {
            ObjectNode a = layerNode.putObject("annotations");
            layerAnnotations.forEach(a::put);
        }
        Descriptor manifestBlob = writeBlob(manifest);

        ObjectNode index = JSON.createObjectNode();
        index.put("schemaVersion", 2).put("mediaType", INDEX_MEDIA_TYPE);
        index.putArray("manifests")
                .addObject()
                .put("mediaType", MANIFEST_MEDIA_TYPE)
                .put("digest", manifestBlob.digest)
                .put("size", manifestBlob.size)
                .putObject("annotations")
                .put("org.opencontainers.image.ref.name", refName);
        Files.write(dir.resolve("index.json"), JSON.writeValueAsBytes(index));
        Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}", StandardCharsets.US_ASCII);
        return new Result(layerDigest, layer.count(), configBlob.digest, manifestBlob.digest);
    }

    /** Removes the partial layer after a failed export (the directories stay: they may have been there). */
    public void abandon() {
        try {
            layer.close();
            Files.deleteIfExists(partial);
        } catch (IOException ignored) {
            // a partial file left behind is all that is lost
        }
    }

    private record Descriptor(String digest, long size) {}

    private Descriptor writeBlob(ObjectNode node) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(node);
        String d = "sha256:" + HexFormat.of().formatHex(sha256().digest(bytes));
        Files.write(blob(d), bytes);
        return new Descriptor(d, bytes.length);
    }

    private Path blob(String digest) {
        return blobs.resolve(digest.substring("sha256:".length()));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /** The config's architecture, in Go's GOARCH words as the image spec asks. */
    static String goArch() {
        String a = System.getProperty("os.arch");
        return switch (a) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64" -> "arm64";
            default -> a;
        };
    }
}
