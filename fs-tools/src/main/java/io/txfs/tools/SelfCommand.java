package io.txfs.tools;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** This CLI started again as a child process (the same JVM and jar), with other arguments. */
final class SelfCommand {
    private SelfCommand() {}

    static List<String> argv(String... args) {
        String javaBin = ProcessHandle.current()
                .info()
                .command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String cp = System.getProperty("java.class.path");
        List<String> argv = new ArrayList<>(List.of(javaBin));
        if (cp.endsWith(".jar") && !cp.contains(File.pathSeparator)) {
            argv.addAll(List.of("-jar", cp)); // the jar's manifest names its libraries
        } else {
            argv.addAll(List.of("-cp", cp, Txfs.class.getName()));
        }
        argv.addAll(List.of(args));
        return argv;
    }
}
