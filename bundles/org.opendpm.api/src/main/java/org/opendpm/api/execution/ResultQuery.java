package org.opendpm.api.execution;

import java.time.Instant;
import java.util.Optional;

/**
 * A filter over the Scenario Execution Result List (EXE-7), newest first.
 *
 * @param from finished at or after, inclusive
 * @param to finished before, exclusive
 * @param offset rows to skip
 * @param limit rows to return, 1 to 1000
 * @param groupId executions of the machines now in this machine group (not its sub-groups)
 * @param state executions that ended in this state; a waiting or running state matches nothing
 */
public record ResultQuery(Optional<Long> machineId, Optional<Long> scenarioId, Optional<Instant> from,
        Optional<Instant> to, int offset, int limit, Optional<Long> groupId, Optional<ExecutionState> state) {

    /** A query without the group and state filters. */
    public ResultQuery(Optional<Long> machineId, Optional<Long> scenarioId, Optional<Instant> from,
            Optional<Instant> to, int offset, int limit) {
        this(machineId, scenarioId, from, to, offset, limit, Optional.empty(), Optional.empty());
    }
}
