package org.opendpm.scheduler.internal.images.transfer;

/** What a backup or restore needs of the step it runs for. */
public interface TransferStep {

    /** Disk bytes done of {@code total}. */
    void progress(long done, long total);

    /** A line for the execution's log. */
    void log(String line);

    /** A warning (IMG-5): a line in the execution's log and a note in its result. */
    void warn(String line);

    /** Runs the action once the step is stopped (at once if it is already). */
    void onStop(Runnable action);
}
