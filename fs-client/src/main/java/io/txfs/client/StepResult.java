package io.txfs.client;

/**
 * A step that ran in a view: its exit status and, unless it inherited the caller's, its output as UTF-8
 * text. The view holds what it wrote, pending, until it is published, committed or aborted.
 */
public record StepResult(String view, int exitCode, String stdout, String stderr) {
    public boolean succeeded() {
        return exitCode == 0;
    }
}
