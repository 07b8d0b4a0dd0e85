package org.opendpm.scheduler.internal.schedule;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;

import org.opendpm.api.NotFoundException;
import org.opendpm.api.OpenDpmException;
import org.opendpm.api.execution.ExecuteRequest;
import org.opendpm.api.execution.Execution;
import org.opendpm.api.execution.ExecutionService;
import org.opendpm.api.execution.ExecutionState;
import org.opendpm.api.inventory.InventoryService;
import org.opendpm.api.power.PowerService;
import org.opendpm.api.schedule.ScheduleKind;
import org.opendpm.scheduler.internal.schedule.ScheduleTable.Row;
import org.opendpm.scheduler.internal.schedule.ScheduleTable.Target;
import org.opendpm.store.Database;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Carries out a schedule that fires: finds its machines, starts the executions or the power actions, counts. */
final class Firing {

    private static final Logger LOG = LoggerFactory.getLogger(Firing.class);

    /** Machines per execution request: a refused request (a machine deleted meanwhile) costs at most this many. */
    static final int EXECUTE_CHUNK = 1000;

    private final Database database;
    private final InventoryService inventory;
    private final ExecutionService executions;
    private final PowerService power;

    Firing(Database database, InventoryService inventory, ExecutionService executions, PowerService power) {
        this.database = database;
        this.inventory = inventory;
        this.executions = executions;
        this.power = power;
    }

    /**
     * Fires the schedule on its explicit machines or its group's; returns the outcome line.
     *
     * @param stopping true once the server is stopping: the firing ends between machines and says how far it got
     */
    String run(Row row, List<Target> explicit, BooleanSupplier stopping) {
        List<Target> targets;
        if (row.groupId() != null) {
            targets = expand(row.groupId(), row.includeSubgroups());
            if (targets.isEmpty()) {
                return "Nothing to do: group " + row.groupPath() + (row.includeSubgroups()
                        ? " and its sub-groups have"
                        : " has") + " no machines";
            }
        } else {
            targets = explicit;
            if (targets.isEmpty()) {
                return "Nothing to do: every machine of this schedule has been deleted from the inventory";
            }
        }
        return row.kind().executes() ? execute(row, targets, stopping) : power(row.kind(), targets, stopping);
    }

    /**
     * The machines of a group (and its sub-groups) at this moment, read in one query rather than through
     * {@code InventoryService.machines}, whose pages of at most 1000 cost tens of seconds at 40,000 machines.
     */
    List<Target> expand(long groupId, boolean includeSubgroups) {
        return database.inTransaction(c -> ScheduleTable.groupMachines(c, groupId, includeSubgroups));
    }

    private String execute(Row row, List<Target> targets, BooleanSupplier stopping) {
        Outcome outcome = new Outcome("execution started", "executions started", "refused");
        String by = "schedule:" + row.id();
        int done = 0;
        for (int from = 0; from < targets.size(); from += EXECUTE_CHUNK) {
            if (stopping.getAsBoolean()) {
                outcome.note("stopped after " + done + " of " + targets.size() + " machines: the server is stopping");
                break;
            }
            List<Target> chunk = targets.subList(from, Math.min(targets.size(), from + EXECUTE_CHUNK));
            executeChunk(row, by, chunk, outcome, true);
            done += chunk.size();
        }
        return outcome.text();
    }

    private void executeChunk(Row row, String by, List<Target> chunk, Outcome outcome, boolean retry) {
        try {
            List<Execution> started = executions.execute(new ExecuteRequest(chunk.stream().map(Target::id).toList(),
                    Optional.of(row.scenarioId()), false, by));
            for (Execution e : started) {
                if (e.state() == ExecutionState.FAILED) {
                    outcome.failed(e.machineName(), e.message());
                } else {
                    outcome.ok(1);
                }
            }
        } catch (NotFoundException e) {
            if (!retry) {
                outcome.failedAll(chunk.size(), e.getMessage());
                return;
            }
            // A machine left the inventory after the group was read: try again without the machines that are gone.
            List<Target> present = new ArrayList<>();
            int gone = 0;
            for (Target t : chunk) {
                try {
                    inventory.machine(t.id());
                    present.add(t);
                } catch (NotFoundException missing) {
                    gone++;
                }
            }
            if (present.size() == chunk.size()) {
                outcome.failedAll(chunk.size(), e.getMessage());
            } else {
                if (!present.isEmpty()) {
                    executeChunk(row, by, present, outcome, false);
                }
                outcome.note(gone + (gone == 1 ? " machine was" : " machines were")
                        + " deleted from the inventory before it could start");
            }
        } catch (OpenDpmException e) {
            outcome.failedAll(chunk.size(), e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("Schedule {} ({}): starting executions failed", row.id(), row.name(), e);
            outcome.failedAll(chunk.size(), "the server failed (" + e + "); the cause is in its log");
        }
    }

    private String power(ScheduleKind kind, List<Target> targets, BooleanSupplier stopping) {
        boolean on = kind == ScheduleKind.POWER_ON;
        Outcome outcome = new Outcome(on ? "machine powered on" : "machine shut down", on
                ? "machines powered on"
                : "machines shut down", "failed");
        int done = 0;
        for (Target t : targets) {
            if (stopping.getAsBoolean()) {
                outcome.note("stopped after " + done + " of " + targets.size() + " machines: the server is stopping");
                break;
            }
            try {
                if (on) {
                    power.powerOn(t.id());
                } else {
                    power.shutdown(t.id());
                }
                outcome.ok(1);
            } catch (OpenDpmException e) {
                outcome.failed(t.name(), e.getMessage());
            } catch (RuntimeException e) {
                LOG.error("Power {} of machine {} failed", on ? "on" : "shutdown", t.name(), e);
                outcome.failed(t.name(), "the server failed (" + e + "); the cause is in its log");
            }
            done++;
        }
        return outcome.text();
    }
}
