package org.opendpm.scheduler.internal.engine;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.opendpm.api.execution.Execution;
import org.opendpm.api.execution.ExecutionState;
import org.opendpm.api.inventory.MachineStatus;
import org.opendpm.api.settings.ServerSettingsService;
import org.opendpm.scheduler.internal.engine.ExecutionTable.MachineRow;
import org.opendpm.spi.Step;
import org.opendpm.store.Database;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Recovery after a restart: what an earlier run of this server left running is requeued, resumed or failed with a
 * message naming the step. Kept apart from the engine, which runs it once and then resumes what it hands back.
 */
final class ExecutionRecovery {

    // The engine's category, so one logger setting covers executions.
    private static final Logger LOG = LoggerFactory.getLogger(ExecutionEngine.class);

    private final Database database;
    private final ServerSettingsService settings;
    private final Clock clock;
    /** The server whose executions are recovered (see {@code execution.owner}). */
    private final String owner;
    /** Runs recovered at start whose step is carried out again once the loop runs. */
    private final List<Run> resuming = new ArrayList<>();

    ExecutionRecovery(Database database, ServerSettingsService settings, Clock clock, String owner) {
        this.database = database;
        this.settings = settings;
        this.clock = clock;
        this.owner = owner;
    }

    /**
     * Carries on with what an earlier run of this server left running. Nothing of its requests survives in this
     * process: an execution still being planned waits again; one whose step is resumable carries that step out again
     * from its start (once the loop runs); any other ends with an error naming the step.
     */
    void recover() {
        List<Run> resumable = new ArrayList<>();
        List<String> ended = new ArrayList<>();
        Instant now = clock.instant();
        int timeout = settings.get().scenarioTimeoutMinutes();
        database.inTransaction(c -> {
            List<Long> ids = ExecutionTable.runningOwnedBy(c, owner);
            List<Execution> rows = ExecutionTable.byIds(c, ids);
            Map<Long, MachineRow> machines = ExecutionTable.machines(c,
                    rows.stream().map(Execution::machineId).toList());
            for (Execution e : rows) {
                List<Step> plan = StepTable.plan(c, e.id());
                Optional<Integer> at = StepTable.running(c, e.id());
                MachineRow machine = machines.get(e.machineId());
                if (plan.isEmpty()) {
                    ExecutionTable.requeue(c, e.id());
                    continue;
                }
                int index = at.orElse(plan.size() - 1);
                Step step = plan.get(index);
                if (step.resumable() && machine != null) {
                    Instant deadline = ExecutionTable.deadline(c, e.id()).orElse(now.plus(Duration.ofMinutes(timeout)));
                    Run run = new Run(e.id(), machine, e.scenarioName(), plan, deadline, timeout);
                    run.step = index;
                    resumable.add(run);
                } else {
                    String message = "The server stopped during step " + (index + 1) + " of " + plan.size() + " ("
                            + step.name() + "), which cannot be carried out again; check the machine, then Remove "
                            + "Error and execute again";
                    StepTable.end(c, e.id(), index, StepTable.State.FAILED, message, now);
                    ExecutionTable.end(c, e.id(), ExecutionState.FAILED, message, now);
                    ExecutionTable.setMachineStatus(c, e.machineId(), MachineStatus.SCENARIO_EXECUTION_ERROR);
                    ended.add("Execution " + e.id() + " of scenario " + e.scenarioName() + " on machine "
                            + e.machineName() + ": " + message);
                }
            }
            return null;
        });
        ended.forEach(LOG::warn);
        synchronized (resuming) {
            resuming.addAll(resumable);
        }
    }

    /** The runs recovered whose step is to be carried out again, each handed out once; any thread. */
    List<Run> takeResumable() {
        synchronized (resuming) {
            List<Run> batch = new ArrayList<>(resuming);
            resuming.clear();
            return batch;
        }
    }
}
