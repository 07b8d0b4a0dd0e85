package org.opendpm.api.execution;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Executes scenarios on machines (EXE-1 to EXE-11). Executions are kept in the database as a state machine: after a
 * restart of the server every execution that was running is resumed or ended with a clear error, and waiting
 * executions still wait.
 *
 * <p>Preconditions, checked for every machine when the request is made: the scenario is executable (its plugins are
 * present), the machine is not executing and not in error (EXE-8), a scenario that needs the Deploy-OS has one for the
 * machine (EXE-3) and, on a machine whose power is on, the forced-reboot option (EXE-2).
 *
 * <p>Errors: unknown ids {@link org.opendpm.api.NotFoundException}; a precondition
 * {@link org.opendpm.api.ConflictException} naming the machine and the reason; bad input
 * {@link org.opendpm.api.ValidationException}; no database {@link org.opendpm.api.StoreUnavailableException}.
 */
@ProviderType
public interface ExecutionService {

    /** Starts executions; returns them in the order of the request's machines. */
    List<Execution> execute(ExecuteRequest request);

    /** The Scenario Execution List (EXE-6): waiting and running executions, oldest first. */
    List<Execution> active();

    Execution execution(long id);

    /** Ends a waiting or running execution as cancelled; the machine's status becomes "Scenario Execution Stop". */
    Execution cancel(long id, String by);

    /** The steps of an execution's plan with their state and progress; empty while it waits or is planned. */
    List<ExecutionStep> steps(long executionId);

    /** The lines the execution's steps logged, oldest first. */
    List<ExecutionStep.LogLine> log(long executionId);

    /** The Scenario Execution Result List (EXE-7). */
    ResultPage results(ResultQuery query);

    /**
     * Remove Error (EXE-8): clears the machine's error status (execution error, execution stop, Remote Power ON
     * Error) so it can run again; {@code false} when it had none.
     */
    boolean removeError(long machineId);
}
