package org.opendpm.spi;

import java.time.Instant;

import org.osgi.annotation.versioning.ProviderType;

/**
 * What the core gives a {@link StepExecutor} for one step of one execution (the idea of Sling's
 * {@code JobExecutionContext}). Every method may be called from any thread.
 */
@ProviderType
public interface StepContext {

    /** The execution this step belongs to. */
    long executionId();

    /** The step being carried out. */
    Step step();

    /** The managed machine's id, as REST and the shell name it. */
    long machineId();

    /** The machine. */
    PlanTarget target();

    /** When the execution times out (EXE-5); the core stops the step then. */
    Instant deadline();

    /**
     * Reports progress, shown in the Scenario Execution List and kept in the database (at most about once a second).
     *
     * @param done units done so far
     * @param total units in all, or -1 when not known
     * @param unit what is counted ({@code bytes}, {@code files}, {@code packages})
     */
    void progress(long done, long total, String unit);

    /** Whether the core has stopped the step (cancelled, timed out, server stopping). */
    boolean isStopped();

    /** Runs the action once the step is stopped (at once if it is already); for releasing what the step holds. */
    void onStop(Runnable action);

    /** Adds a line to the execution's log (kept with the step; long lines are cut). */
    void log(String line);

    /**
     * Says what the execution's time-out means if it comes while this step runs; the core adds it to its own message
     * ("Not finished within N minutes; stopped at step …: {@code explanation}"). A step that waits on the machine
     * tells the administrator what the machine may still be doing (HWS-2: a firmware update that may still be
     * flashing). A later call replaces an earlier one; null withdraws it; the first 500 characters are kept.
     *
     * @since 2.4
     */
    void explainTimeout(String explanation);

    /** The machine's agent. */
    AgentHandle agent();

    /** The machine's next boot. */
    BootControl boot();

    /** The machine's power, through its power driver. */
    PowerHandle power();

    /** The server's image store ("Folder for Image"). */
    ImageStore images();

    /**
     * Publishes a file for this execution (an installer's answer file) at an unguessable HTTP path, served until
     * the execution ends.
     *
     * @param name a plain file name
     * @return the path below the server's HTTP root, {@code /opendpm/boot/published/<token>/<name>}
     */
    String publish(String name, byte[] content, String mediaType);
}
