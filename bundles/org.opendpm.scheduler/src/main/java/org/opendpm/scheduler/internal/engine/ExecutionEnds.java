package org.opendpm.scheduler.internal.engine;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.opendpm.api.boot.DeployOsSessions;
import org.opendpm.api.boot.PublishedFiles;
import org.opendpm.api.execution.ExecutionState;
import org.opendpm.api.inventory.MachineStatus;
import org.opendpm.store.Database;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ends of executions, written in batches: every run that ends in the same moment is written in one transaction,
 * and what it was given is withdrawn. Kept apart from the engine's loop, which only says which run ends how. Touched
 * on the loop only.
 */
final class ExecutionEnds {

    // The engine's category, so one logger setting covers executions.
    private static final Logger LOG = LoggerFactory.getLogger(ExecutionEngine.class);

    private final Database database;
    private final Clock clock;
    private final Supplier<DeployOsSessions> sessions;
    private final Supplier<PublishedFiles> published;
    /** Queues the engine's flush on the loop. */
    private final Runnable queueFlush;
    /** Told of each run whose end is written, before its files are withdrawn. */
    private final Consumer<Run> ended;
    /** Runs whose end is to be written by the next flush. */
    private final List<Run> ending = new ArrayList<>();
    private boolean flushQueued;

    ExecutionEnds(Database database, Clock clock, Supplier<DeployOsSessions> sessions,
            Supplier<PublishedFiles> published, Runnable queueFlush, Consumer<Run> ended) {
        this.database = database;
        this.clock = clock;
        this.sessions = sessions;
        this.published = published;
        this.queueFlush = queueFlush;
        this.ended = ended;
    }

    /**
     * Ends a run and stops its step. The end is written with the others that end in the same moment, in one
     * transaction, by the task queued behind them on the loop; until then the run ignores late answers.
     */
    void finish(Run run, ExecutionState state, String message) {
        if (run.pendingEnd != null) {
            return; // the first end stands
        }
        run.pendingEnd = state;
        run.pendingMessage = StepReports.withFigures(run, message, clock.instant());
        if (run.context != null) {
            run.context.stop();
        }
        ending.add(run);
        if (!flushQueued) {
            flushQueued = true;
            queueFlush.run();
        }
    }

    /** Writes the ends finished since the last flush; {@code true} if any were written. */
    boolean flush() {
        flushQueued = false;
        if (ending.isEmpty()) {
            return false;
        }
        List<Run> batch = new ArrayList<>(ending);
        Instant now = clock.instant();
        try {
            database.inTransaction(c -> {
                for (Run run : batch) {
                    if (ExecutionTable.end(c, run.id, run.pendingEnd, run.pendingMessage, now)) {
                        ExecutionTable.setMachineStatus(c, run.machine.id(), statusAfter(run));
                    }
                    if (run.plan != null && run.context != null) {
                        var last = run.rates.takeUnwritten(); // a report after the last tick (IMG-6)
                        if (last.isPresent()) {
                            StepTable.progress(c, run.id, last.get().step(), last.get().snapshot(), false);
                        }
                        List<String> lines = run.context.takeLines();
                        if (!lines.isEmpty()) {
                            StepTable.log(c, run.id, run.context.index(), lines, now);
                        }
                        StepTable.end(c, run.id, run.step, stepStateAfter(run.pendingEnd),
                                run.pendingEnd == ExecutionState.COMPLETED ? "" : run.pendingMessage, now);
                    }
                }
                return null;
            });
        } catch (RuntimeException e) {
            // Kept and written by the next tick, so no row stays running.
            LOG.warn("{} execution end(s) could not be written yet: {}", batch.size(), e.getMessage());
            return false;
        }
        ending.removeAll(batch);
        for (Run run : batch) {
            ended.accept(run);
            release(run);
            if (run.pendingEnd == ExecutionState.COMPLETED) {
                LOG.info("Execution {} of scenario {} on machine {} completed", run.id, run.scenarioName,
                        run.machine.name());
            } else {
                LOG.warn("Execution {} of scenario {} on machine {} ended {}: {}", run.id, run.scenarioName,
                        run.machine.name(), run.pendingEnd, run.pendingMessage);
            }
        }
        return true;
    }

    /** Withdraws what the execution was given: its Deploy-OS token, its published files. */
    private void release(Run run) {
        try {
            DeployOsSessions s = sessions.get();
            if (s != null) {
                s.revoke(run.machine.id());
            }
            PublishedFiles p = published.get();
            if (p != null) {
                p.withdraw(run.id);
            }
        } catch (RuntimeException e) {
            LOG.warn("Execution {}: its Deploy-OS token or published files could not be withdrawn: {}", run.id,
                    e.getMessage());
        }
    }

    private static StepTable.State stepStateAfter(ExecutionState state) {
        switch (state) {
        case COMPLETED:
            return StepTable.State.DONE;
        case FAILED:
            return StepTable.State.FAILED;
        default:
            return StepTable.State.STOPPED;
        }
    }

    private static MachineStatus statusAfter(Run run) {
        switch (run.pendingEnd) {
        case COMPLETED:
            return MachineStatus.NONE;
        case CANCELLED:
            return MachineStatus.SCENARIO_EXECUTION_STOP;
        default:
            return run.powerOnError ? MachineStatus.REMOTE_POWER_ON_ERROR : MachineStatus.SCENARIO_EXECUTION_ERROR;
        }
    }
}
