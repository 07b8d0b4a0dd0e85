package org.opendpm.api.execution;

/** Where an execution is. Waiting and running executions are listed (EXE-6); the others are results (EXE-7). */
public enum ExecutionState {
    /** Accepted, waiting for a place among the Machines for Simultaneous Execution (EXE-4). */
    WAITING,
    /** Its steps are being carried out; the machine's status is "Scenario Executing". */
    RUNNING, COMPLETED,
    /** A step failed, the agent was lost, the server restarted or a precondition failed; the message says which. */
    FAILED,
    /** Not finished within the time-out (EXE-5). */
    TIMED_OUT, CANCELLED;

    public boolean finished() {
        return this != WAITING && this != RUNNING;
    }
}
