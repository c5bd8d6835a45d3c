package io.txfs.tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One run of {@code txfs repro}: the first as a baseline with every varied thing at a fixed value (umask
 * 022, TZ=UTC, LC_ALL=C, the host's name, the variables unset), the others each with a different one, so
 * a difference between runs comes from what was varied. Started as its own {@code txfs run} process, as a
 * process is in one view at a time.
 */
final class RunVariant {
    private static final String[] ZONES = {"Etc/GMT-14", "America/St_Johns", "Asia/Kathmandu"};
    private static final String[] LOCALES = {"C.UTF-8", "C.utf8"};

    private final int index;
    private final String readdir;
    private final String umask;
    private final Map<String, String> env = new LinkedHashMap<>();
    private final List<String> unset = new ArrayList<>();
    private final String hostname;

    private RunVariant(int index, Repro.Options o) {
        this.index = index;
        boolean varied = index > 0;
        this.readdir =
                o.vary().contains(Repro.Variation.READDIR) && varied ? (index % 2 == 1 ? "reverse" : "shuffle") : null;
        this.umask = o.vary().contains(Repro.Variation.UMASK) ? (varied ? "0002" : "0022") : null;
        if (o.vary().contains(Repro.Variation.TZ)) env.put("TZ", varied ? ZONES[(index - 1) % ZONES.length] : "UTC");
        if (o.vary().contains(Repro.Variation.LOCALE)) {
            String l = varied ? LOCALES[(index - 1) % LOCALES.length] : "C";
            env.put("LC_ALL", l);
            env.put("LANG", l);
        }
        for (String name : o.envNames()) {
            if (varied) env.put(name, "txfs-repro-" + index);
            else unset.add(name);
        }
        this.hostname = o.vary().contains(Repro.Variation.HOSTNAME) && varied ? "txfs-repro-" + index : null;
        if (hostname != null && !Files.isExecutable(Path.of("/usr/bin/unshare"))) {
            throw new UserFacingException("--vary hostname needs unshare(1) (util-linux)");
        }
    }

    static RunVariant of(int index, Repro.Options o) {
        return new RunVariant(index, o);
    }

    /** What this run varies, for the log line. */
    String describe() {
        List<String> parts = new ArrayList<>();
        if (readdir != null) parts.add("readdir " + readdir);
        if (umask != null) parts.add("umask " + umask);
        env.forEach((k, v) -> parts.add(k + "=" + v));
        unset.forEach(k -> parts.add(k + " unset"));
        if (hostname != null) parts.add("hostname " + hostname);
        return parts.isEmpty() ? "" : " (" + String.join(", ", parts) + ")";
    }

    /** Runs the command in {@code view} (a new view) and returns its exit status. */
    int run(Path mount, String view, List<String> command) {
        List<String> argv = new ArrayList<>(SelfCommand.argv("run", "--mount", mount.toString(), "--view", view));
        if (readdir != null) argv.addAll(List.of("--readdir", readdir));
        argv.add("--");
        if (hostname != null) {
            argv.addAll(List.of(
                    "/usr/bin/unshare", "--uts", "--", "/bin/sh", "-c", "hostname \"$0\" && exec \"$@\"", hostname));
        }
        if (umask != null) argv.addAll(List.of("/bin/sh", "-c", "umask " + umask + " && exec \"$@\"", "txfs-repro"));
        argv.addAll(command);
        ProcessBuilder pb = new ProcessBuilder(argv).inheritIO();
        pb.environment().putAll(env);
        unset.forEach(pb.environment()::remove);
        try {
            return pb.start().waitFor();
        } catch (IOException e) {
            throw new UserFacingException("cannot start run " + index + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserFacingException("interrupted during run " + index);
        }
    }
}
