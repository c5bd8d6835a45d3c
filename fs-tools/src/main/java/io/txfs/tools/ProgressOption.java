package io.txfs.tools;

import io.txfs.sys.LibC;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Supplier;
import picocli.CommandLine.Option;

/**
 * {@code --progress} of the commands that can run long (flush, commit, gc, export, import, hash
 * --backing, mount): a bar on a terminal, nothing on a pipe, or lines that a log keeps. The daemon does
 * the work; the CLI only polls the control file's {@code progress} verb beside its own call.
 */
final class ProgressOption {
    enum Mode {
        AUTO,
        PLAIN,
        NONE
    }

    @Option(
            names = "--progress",
            paramLabel = "MODE",
            description =
                    "auto (default: a bar when stderr is a terminal, nothing otherwise), plain (a line every second), none.",
            converter = ModeConverter.class)
    Mode mode = Mode.AUTO;

    /** What to show, or null: nothing (none, or auto with stderr not a terminal). */
    ProgressRenderer renderer() {
        Mode m = mode;
        if (m == Mode.AUTO) m = LibC.INSTANCE.isatty(2) == 1 ? null : Mode.NONE;
        if (m == Mode.NONE) return null;
        return m == Mode.PLAIN ? new ProgressLines(System.err) : new ProgressBars(System.err);
    }

    /** Runs {@code call} (a control command of a long operation of this kind) while showing its progress. */
    <T> T around(Path ctl, String kind, Supplier<T> call) {
        ProgressRenderer r = renderer();
        if (r == null) return call.get();
        try (ProgressWatcher w = ProgressWatcher.start(ctl, kind, r)) {
            return call.get();
        }
    }

    static final class ModeConverter implements picocli.CommandLine.ITypeConverter<Mode> {
        @Override
        public Mode convert(String value) {
            return Mode.valueOf(value.toUpperCase(Locale.ROOT));
        }
    }
}
