package io.txfs.core;

import io.txfs.core.model.FaultInjector;
import java.nio.file.Path;

/**
 * Runs the crash scenario in its own JVM and stops at one fault point: prints "FAULT point" and blocks
 * until the parent kills it with SIGKILL. Args: backing, state, point[@occurrence], publish|flush.
 */
public final class CrashChild {
    private CrashChild() {}

    public static void main(String[] args) throws Exception {
        Path backing = Path.of(args[0]);
        Path state = Path.of(args[1]);
        String[] spec = args[2].split("@");
        String point = spec[0];
        int occurrence = spec.length > 1 ? Integer.parseInt(spec[1]) : 1;
        int[] seen = {0};
        FaultInjector faults = p -> {
            if (p.equals(point) && ++seen[0] == occurrence) {
                System.out.println("FAULT " + p);
                System.out.flush();
                while (true) {
                    try {
                        Thread.sleep(60_000);
                    } catch (InterruptedException ignored) {
                        // wait for SIGKILL
                    }
                }
            }
        };
        Engine e = Engine.open(EngineConfig.rocks(backing, state).withFaults(faults));
        CrashScenario.pendingWork(e);
        if (args[3].equals("outside")) {
            CrashScenario.outsideWork(e, backing);
            System.out.println("DONE");
            System.out.flush();
            e.close();
            return;
        }
        CrashScenario.publishWork(e);
        if (args[3].equals("flush")) {
            e.flush();
            e.collectGarbage(); // waits for the automatic collection the flush started, or runs it
        }
        System.out.println("DONE");
        System.out.flush();
        e.close();
    }
}
