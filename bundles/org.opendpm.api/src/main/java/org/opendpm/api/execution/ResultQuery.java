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
 */
public record ResultQuery(Optional<Long> machineId, Optional<Long> scenarioId, Optional<Instant> from,
        Optional<Instant> to, int offset, int limit) {
}
