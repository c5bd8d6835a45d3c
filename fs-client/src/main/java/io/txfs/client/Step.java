package io.txfs.client;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A command to run in a view: the view, the argv, and optionally a working directory (looked up inside the
 * view), extra environment variables, and whether it shares the caller's stdin/stdout/stderr instead of
 * having its output captured. Immutable; each option returns a new step.
 */
public final class Step {
    private final String view;
    private final List<String> command;
    private final Optional<Path> workingDirectory;
    private final Map<String, String> environment;
    private final boolean inheritIo;

    private Step(
            String view,
            List<String> command,
            Optional<Path> workingDirectory,
            Map<String, String> environment,
            boolean inheritIo) {
        this.view = ViewNames.require(view);
        if (command.isEmpty()) {
            throw new IllegalArgumentException("a step needs a command");
        }
        this.command = List.copyOf(command);
        this.workingDirectory = workingDirectory;
        this.environment = Map.copyOf(environment);
        this.inheritIo = inheritIo;
    }

    /** {@code command} in {@code view}, from the mount's root, its output captured. */
    public static Step of(String view, List<String> command) {
        return new Step(view, command, Optional.empty(), Map.of(), false);
    }

    public static Step of(String view, String... command) {
        return of(view, List.of(command));
    }

    /** An absolute directory, normally inside the mount; it must exist in the view. */
    public Step workingDirectory(Path dir) {
        if (!dir.isAbsolute()) {
            throw new IllegalArgumentException("the working directory must be absolute: " + dir);
        }
        return new Step(view, command, Optional.of(dir), environment, inheritIo);
    }

    /** One more environment variable on top of the caller's environment. */
    public Step environment(String name, String value) {
        Map<String, String> env = new LinkedHashMap<>(environment);
        env.put(name, value);
        return new Step(view, command, workingDirectory, env, inheritIo);
    }

    /** The command reads the caller's stdin and writes to its stdout and stderr; the result holds no output. */
    public Step inheritIo() {
        return new Step(view, command, workingDirectory, environment, true);
    }

    public String view() {
        return view;
    }

    public List<String> command() {
        return command;
    }

    public Optional<Path> workingDirectory() {
        return workingDirectory;
    }

    public Map<String, String> environment() {
        return environment;
    }

    public boolean inheritsIo() {
        return inheritIo;
    }
}
