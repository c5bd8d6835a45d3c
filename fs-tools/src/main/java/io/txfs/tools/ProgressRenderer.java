package io.txfs.tools;

/** Shows successive reports of one long operation; {@link #end} once it is over. */
interface ProgressRenderer {
    void show(ProgressReport r);

    void end();
}
