package io.txfs.tools;

import com.fasterxml.jackson.databind.JsonNode;
import io.txfs.control.BadControlCommandException;
import io.txfs.control.ControlClient;
import io.txfs.control.ControlCommand;
import io.txfs.control.ControlException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Sends one control command and turns the daemon's refusal into the CLI's message and exit status. */
final class ControlCall {
    private ControlCall() {}

    static JsonNode send(Path ctl, String line) {
        try {
            // validated here too, so that a bad argument is a usage error named by the CLI
            ControlCommand.parse(line.getBytes(StandardCharsets.UTF_8));
            return ControlClient.send(ctl, line);
        } catch (BadControlCommandException e) {
            throw new UserFacingException(e.getMessage(), e);
        } catch (ControlException e) {
            throw new RefusedException(e);
        } catch (IOException e) {
            throw new UserFacingException("cannot reach the daemon through " + ctl + ": " + e.getMessage(), e);
        }
    }

    /** The daemon said no; conflicts exit 3 and list their paths. */
    static final class RefusedException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient ControlException cause;

        RefusedException(ControlException cause) {
            super(cause.errno() + ": " + cause.getMessage(), cause);
            this.cause = cause;
        }

        boolean isConflict() {
            return "EBUSY".equals(cause.errno());
        }

        int report(PrintWriter err) {
            err.println("txfs: " + cause.getMessage() + " (" + cause.errno() + ")");
            JsonNode reply = cause.reply();
            if (reply != null && reply.has("conflicts")) {
                for (JsonNode p : reply.get("conflicts")) {
                    err.println("  conflict: " + StatusFormat.quoted(p));
                }
            }
            if (reply != null && reply.has("problems")) {
                // a refused flush: every path the backing directory could not hold, and why
                for (JsonNode p : reply.get("problems")) {
                    err.println("  not flushed: " + StatusFormat.quoted(p.path("path")) + ": "
                            + p.path("reason").asText());
                }
            }
            return isConflict() ? Txfs.EXIT_CONFLICT : Txfs.EXIT_FAILURE;
        }
    }
}
