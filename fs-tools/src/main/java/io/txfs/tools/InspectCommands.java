package io.txfs.tools;

import com.fasterxml.jackson.databind.JsonNode;
import io.txfs.control.ControlCommand;
import io.txfs.control.ControlReply;
import io.txfs.core.inspect.oci.OciImageLayout;
import java.io.ByteArrayOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

/** {@code txfs hash} and {@code txfs log}: reproducibility checks through the control file. */
final class InspectCommands {
    private InspectCommands() {}

    @Command(
            name = "hash",
            mixinStandardHelpOptions = true,
            description =
                    "A deterministic tree id of a state (equal to git write-tree's over names, contents and modes).")
    static final class Hash extends ViewCommands.Base {
        static final class State {
            @Option(names = "--view", paramLabel = "VIEW", description = "A view (default: the caller's own).")
            String view;

            @Option(names = "--published", description = "The newest published state.")
            boolean published;

            @Option(names = "--backing", description = "The backing directory as it is now.")
            boolean backing;
        }

        static final class Format {
            @Option(names = "--sha1", description = "SHA-1 ids (default), as git's default object format.")
            boolean sha1;

            @Option(names = "--sha256", description = "SHA-256 ids, as git --object-format=sha256.")
            boolean sha256;
        }

        @ArgGroup(exclusive = true)
        State state;

        @ArgGroup(exclusive = true)
        Format format;

        @Option(
                names = "--extended",
                description = "Also ownership, all mode bits, xattrs, devices, hard links, empty directories.")
        boolean extended;

        @Option(names = "--mtimes", description = "With --extended: include mtimes.")
        boolean mtimes;

        @Mixin
        NormalizeOption normalize;

        @Option(names = "--json", description = Output.JSON_HELP)
        boolean json;

        @Parameters(
                index = "0",
                arity = "0..1",
                paramLabel = "PATH",
                description =
                        "A subtree or file: a path inside the mount, or relative to its root. Default: the whole tree.")
        Path path;

        /** Only a hash of the backing directory reports progress: the others reuse unchanged subtrees. */
        @Mixin
        ProgressOption progress;

        @Override
        int run() {
            if (mtimes && !extended) {
                throw new ParameterException(spec.commandLine(), "--mtimes needs --extended");
            }
            Path ctl = mount.controlFile();
            StringBuilder line = new StringBuilder("hash");
            if (state != null && state.view != null) {
                line.append(" view=").append(state.view);
            } else if (state != null && state.published) {
                line.append(" published");
            } else if (state != null && state.backing) {
                line.append(" backing");
            }
            if (format != null && format.sha256) {
                line.append(" format=sha256");
            }
            if (extended) {
                line.append(" extended");
            }
            if (mtimes) {
                line.append(" mtimes");
            }
            if (path != null) {
                String rel = treePath(MountLocator.mountOf(ctl), path);
                if (!rel.isEmpty()) {
                    line.append(" path=").append(ControlCommand.encodePath(rel.getBytes(StandardCharsets.UTF_8)));
                }
            }
            line.append(normalize.argument());
            JsonNode r = progress.around(ctl, "hash", () -> ControlCall.send(ctl, line.toString()));
            NormalizeOption.warnNotNormalized(r, err());
            out().println(json ? Output.json(r) : r.path("id").asText() + NormalizeOption.suffix(r));
            return Txfs.EXIT_OK;
        }

        /**
         * PATH relative to the tree's root: a path inside the mount (absolute, or relative to a working
         * directory inside it) is taken relative to the mount point; a relative path from outside the
         * mount is already relative to the root.
         */
        static String treePath(Path mountPoint, Path path) {
            Path mp = mountPoint.toAbsolutePath().normalize();
            Path abs = Path.of("").toAbsolutePath().resolve(path).normalize();
            Path rel;
            if (abs.startsWith(mp)) {
                rel = mp.relativize(abs);
            } else if (!path.isAbsolute()) {
                rel = path.normalize();
            } else {
                throw new UserFacingException(path + " is not inside the mount " + mp);
            }
            String s = rel.toString();
            if (s.equals("..") || s.startsWith("../")) {
                throw new UserFacingException(path + " leaves the tree");
            }
            if (s.equals(".txfs") || s.startsWith(".txfs/")) {
                throw new UserFacingException(".txfs is the control directory, not part of any tree");
            }
            return s;
        }
    }

    @Command(name = "log", mixinStandardHelpOptions = true, description = "Publishes and flushes, oldest first.")
    static final class Log extends ViewCommands.Base {
        @Option(names = "--json", description = Output.JSON_HELP)
        boolean json;

        /** VERSION KIND VIEW TIME_NS PATHS BYTES DELTA per record (docs/cli.md). */
        @Mixin
        PorcelainOption records;

        @Option(
                names = "--wait",
                description =
                        "Wait until every delta id is computed (else ids still being computed after 2 s show as pending).")
        boolean await;

        @Override
        int run() {
            records.checkAlone(spec, json);
            JsonNode r = ControlCall.send(mount.controlFile(), await ? "log wait" : "log");
            if (json) {
                out().println(Output.json(r));
            } else if (records.any()) {
                out().print(StatusFormat.logPorcelain(r, records.nul ? '\0' : '\n'));
            } else {
                out().print(StatusFormat.log(r));
            }
            return Txfs.EXIT_OK;
        }
    }

    @Command(
            name = "export",
            mixinStandardHelpOptions = true,
            description = "Write a view's pending delta as an OCI image layer tar (whiteouts for deletes), streamed: "
                    + "to stdout or a file (oci-tar), or as an OCI image-layout directory (oci-dir).")
    static final class Export extends ViewCommands.Base {
        @Parameters(index = "0", arity = "0..1", paramLabel = "VIEW", description = "Default: the caller's own view.")
        String view;

        @Option(
                names = "--format",
                paramLabel = "oci-tar|oci-dir",
                defaultValue = "oci-tar",
                description =
                        "oci-tar (default): the layer tar; oci-dir: an image-layout directory (needs --output DIR) "
                                + "with the layer, a config, a manifest and the delta id as the layer's annotation io.txfs.delta-id.")
        String format;

        @Option(
                names = {"-o", "--output"},
                paramLabel = "PATH",
                description = "oci-tar: the file to write (default: stdout); oci-dir: the directory (new or empty).")
        Path output;

        @Mixin
        ProgressOption progress;

        @Mixin
        NormalizeOption normalize;

        @Override
        int run() {
            return switch (format) {
                case "oci-tar" -> tar();
                case "oci-dir" -> layout();
                default -> throw new ParameterException(spec.commandLine(), "--format must be oci-tar or oci-dir");
            };
        }

        private int tar() {
            if (output == null && System.console() != null) {
                throw new UserFacingException(
                        "refusing to write a tar to a terminal; redirect stdout: txfs export VIEW > layer.tar");
            }
            try (OutputStream out =
                    output == null ? new FileOutputStream(FileDescriptor.out) : Files.newOutputStream(output)) {
                long n = progress.around(
                        mount.controlFile(),
                        "export",
                        () -> RawControlCall.send(
                                mount.controlFile(),
                                "export" + viewArg(view) + " format=oci-tar" + normalize.argument(),
                                out));
                err().println("txfs: exported " + n + " bytes");
            } catch (IOException e) {
                throw new UserFacingException("writing " + output + ": " + e.getMessage(), e);
            }
            return Txfs.EXIT_OK;
        }

        private int layout() {
            if (output == null) {
                throw new ParameterException(spec.commandLine(), "--format oci-dir needs --output DIR");
            }
            OciImageLayout layout;
            try {
                layout = OciImageLayout.create(output);
            } catch (IOException e) {
                throw new UserFacingException("cannot write an image layout to " + output + ": " + e.getMessage(), e);
            }
            boolean done = false;
            try {
                HeaderLine header = new HeaderLine(layout.layer());
                progress.around(
                        mount.controlFile(),
                        "export",
                        () -> RawControlCall.send(
                                mount.controlFile(),
                                "export" + viewArg(view) + " format=oci-tar canonical" + normalize.argument(),
                                header));
                JsonNode h = header.header();
                OciImageLayout.Result r = layout.finish(
                        Map.of(
                                "io.txfs.delta-id",
                                h.path("objects").asText() + ":"
                                        + h.path("delta_id").asText(),
                                "io.txfs.view",
                                h.path("view").asText(),
                                "io.txfs.normalized-by",
                                h.path("normalized_by").asText("")),
                        h.path("view").asText());
                done = true;
                err().println("txfs: exported view " + h.path("view").asText() + " to " + output + ": layer "
                        + r.layerDigest() + " (" + r.layerSize() + " bytes), delta "
                        + h.path("delta_id").asText());
                return Txfs.EXIT_OK;
            } catch (IOException e) {
                throw new UserFacingException("writing the image layout " + output + ": " + e.getMessage(), e);
            } finally {
                if (!done) {
                    layout.abandon();
                }
            }
        }
    }

    /** Takes the one JSON line an {@code export ... canonical} reply starts with, and passes the rest on. */
    static final class HeaderLine extends OutputStream {
        private static final int MAX = 64 * 1024;
        private final OutputStream rest;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();
        private boolean inBody;

        HeaderLine(OutputStream rest) {
            this.rest = rest;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (!inBody) {
                int end = off;
                while (end < off + len && b[end] != '\n') {
                    end++;
                }
                line.write(b, off, end - off);
                if (line.size() > MAX) {
                    throw new IOException("the export's header line is longer than " + MAX + " bytes");
                }
                if (end == off + len) {
                    return;
                }
                inBody = true;
                len -= end + 1 - off;
                off = end + 1;
            }
            rest.write(b, off, len);
        }

        @Override
        public void flush() throws IOException {
            rest.flush();
        }

        JsonNode header() throws IOException {
            if (!inBody) {
                throw new IOException("the export's reply ended inside its header line");
            }
            return ControlReply.parse(line.toString(StandardCharsets.UTF_8));
        }
    }

    @Command(
            name = "import",
            mixinStandardHelpOptions = true,
            description =
                    "Apply an OCI image layer tar from stdin to a view (created on the published state if absent). "
                            + "The whole layer is checked first: a bad layer changes nothing.")
    static final class Import extends ViewCommands.Base {
        @Parameters(index = "0", arity = "0..1", paramLabel = "VIEW", description = "Default: the caller's own view.")
        String view;

        @Option(names = "--json", description = Output.JSON_HELP)
        boolean json;

        @Mixin
        ProgressOption progress;

        @Override
        int run() {
            if (System.console() != null) {
                throw new UserFacingException("give the layer on stdin: txfs import VIEW < layer.tar");
            }
            // the daemon reads the layer through this process's descriptor (stdin, or its spooled copy)
            JsonNode r;
            try (LayerInput in = LayerInput.ofStdin()) {
                r = progress.around(
                        mount.controlFile(),
                        "import",
                        () -> ControlCall.send(mount.controlFile(), "import" + viewArg(view) + " fd=" + in.fd()));
            }
            if (json) {
                out().println(Output.json(r));
            } else {
                err().println("txfs: imported into view " + r.path("view").asText()
                        + (r.path("created").asBoolean() ? " (new)" : "")
                        + ": " + r.path("entries").asLong() + " entries, "
                        + r.path("deletions").asLong() + " deletions, "
                        + r.path("changed_paths").asLong() + " paths pending");
            }
            return Txfs.EXIT_OK;
        }
    }
}
