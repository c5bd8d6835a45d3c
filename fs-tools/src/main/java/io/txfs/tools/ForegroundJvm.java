package io.txfs.tools;

import io.txfs.sys.LibC;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code txfs mount -f} in a JVM nobody sized (the launcher's plain {@code java -jar}: a heap of a quarter
 * of the machine's memory) replaces itself, with execve, by the same command in a JVM sized as the
 * detached daemon's (DaemonJvm, docs/memory.md). execve keeps the pid, the terminal and the descriptors,
 * so whoever started the foreground daemon (a shell, systemd, a test) still signals and waits for the
 * process it started. Runs before the daemon takes any lock or opens the store.
 */
final class ForegroundJvm {
    private static final Logger log = LoggerFactory.getLogger(ForegroundJvm.class);

    private ForegroundJvm() {}

    /** Returns only when this JVM serves as it is: sized already, sized by its starter, or execve failed. */
    static void resizeIfUnsized(List<String> foregroundArguments) {
        List<String> jvmArguments = ManagementFactory.getRuntimeMXBean().getInputArguments();
        if (!DaemonJvm.shouldResize(System.getProperty(DaemonJvm.SIZED_PROPERTY), jvmArguments)) {
            return;
        }
        List<String> argv = new ArrayList<>();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        argv.add(java);
        // the starter's own options (system properties, agents, a collector) come with the user's, after ours
        List<String> user = new ArrayList<>(jvmArguments);
        String extra = System.getenv("TXFS_DAEMON_JAVA_OPTS");
        if (extra != null && !extra.isBlank()) user.addAll(List.of(extra.trim().split("\\s+")));
        argv.addAll(DaemonJvm.optionsWith(user));
        argv.add("-cp");
        argv.add(System.getProperty("java.class.path"));
        argv.add(Txfs.class.getName());
        argv.addAll(foregroundArguments);
        Map<String, String> env = new TreeMap<>(System.getenv());
        DaemonJvm.ENVIRONMENT.forEach(env::putIfAbsent);
        String[] envp = env.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue())
                .toArray(String[]::new);
        System.out.flush();
        System.err.flush();
        LibC.INSTANCE.execve(java, argv.toArray(String[]::new), envp);
        // still here: serve in this JVM rather than not at all
        log.warn(
                "could not re-execute the daemon in a sized JVM (errno {}); serving with this JVM's heap of {} MiB",
                LibC.errno(),
                Runtime.getRuntime().maxMemory() >> 20);
    }
}
