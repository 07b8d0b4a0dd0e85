package org.opendpm.scheduler.internal.engine;

import java.time.Instant;
import java.util.List;

import org.opendpm.api.execution.ExecutionState;
import org.opendpm.scheduler.internal.engine.ExecutionTable.MachineRow;
import org.opendpm.spi.Step;

/** An execution being carried out; fields change on the loop only. */
final class Run {
    final long id;
    final MachineRow machine;
    final String scenarioName;
    /** Null while it is planned. */
    List<Step> plan;
    final Instant deadline;
    final int timeoutMinutes;
    int step;
    StepContextImpl context;
    /** The current step's rate and ETA, and the figures of finished steps (IMG-6). */
    final ProgressRate rates = new ProgressRate();
    volatile boolean powerOnError;
    /** What the administrator should know of a run that went well (IMG-5), kept in its result; any thread adds. */
    final List<String> warnings = new java.util.concurrent.CopyOnWriteArrayList<>();
    ExecutionState pendingEnd;
    String pendingMessage;

    Run(long id, MachineRow machine, String scenarioName, List<Step> plan, Instant deadline, int timeoutMinutes) {
        this.id = id;
        this.machine = machine;
        this.scenarioName = scenarioName;
        this.plan = plan;
        this.deadline = deadline;
        this.timeoutMinutes = timeoutMinutes;
    }

    /** Where the run is, for messages: "step 2 of 5 (Disk check)" or "planning". */
    /** The result of a run that reached its deadline, with what its step said the time-out means (HWS-2). */
    String timeoutMessage() {
        StepContextImpl c = context;
        String explanation = plan == null || c == null ? null : c.timeoutExplanation();
        return "Not finished within " + timeoutMinutes + (timeoutMinutes == 1 ? " minute" : " minutes")
                + "; stopped at " + where() + (explanation == null ? "" : ": " + explanation);
    }

    String where() {
        if (plan == null) {
            return "planning";
        }
        return "step " + (step + 1) + " of " + plan.size() + " (" + plan.get(step).name() + ")";
    }
}
