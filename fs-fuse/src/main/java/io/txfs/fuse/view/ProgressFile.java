package io.txfs.fuse.view;

import com.fasterxml.jackson.databind.node.ArrayNode;
import io.txfs.control.ControlReply;
import io.txfs.core.progress.LongWorks;
import io.txfs.core.progress.WorkSnapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Progress of what runs while the mount is not serving yet (recovery at open), written to
 * {@code STATE/progress.json} for {@code txfs mount} to show: the control file that reports progress
 * later does not exist until the mount answers. Same fields as the control file's {@code progress}
 * reply; replaced whole (rename), at most four times a second, removed when nothing runs.
 */
public final class ProgressFile implements LongWorks.Listener {
    private static final Logger log = LoggerFactory.getLogger(ProgressFile.class);
    private static final long EVERY_NS = 250_000_000L;
    private final Path file;
    private long lastNs;
    private boolean failed;

    ProgressFile(Path file) {
        this.file = file;
    }

    @Override
    public synchronized void changed(LongWorks works) {
        var running = works.running();
        long now = works.nowNs();
        if (failed || (!running.isEmpty() && now - lastNs < EVERY_NS && lastNs != 0)) return;
        lastNs = now;
        try {
            if (running.isEmpty()) {
                Files.deleteIfExists(file);
                lastNs = 0; // the next work to start is shown at once
                return;
            }
            ArrayNode list = json(works);
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.write(
                    tmp,
                    ControlReply.json()
                            .writeValueAsBytes(
                                    ControlReply.json().createObjectNode().set("running", list)));
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            failed = true; // only a display: the recovery goes on
            log.warn("cannot write progress to {}: {}", file, e.toString());
        }
    }

    /** The running works as the control file's {@code progress} reply and this file list them. */
    public static ArrayNode json(LongWorks works) {
        ArrayNode list = ControlReply.json().createArrayNode();
        long now = works.nowNs();
        for (WorkSnapshot w : works.running()) {
            list.addObject()
                    .put("id", w.id())
                    .put("kind", w.kind())
                    .put("phase", w.phase())
                    .put("items_done", w.itemsDone())
                    .put("items_total", w.itemsTotal())
                    .put("bytes_done", w.bytesDone())
                    .put("bytes_total", w.bytesTotal())
                    .put("elapsed_ns", now - w.startedNs())
                    .put("phase_elapsed_ns", now - w.phaseStartedNs());
        }
        return list;
    }

    /** Ends the file's life: called once the engine is open and the control file takes over. */
    synchronized void close() {
        failed = true;
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            log.warn("cannot remove {}: {}", file, e.toString());
        }
    }
}
