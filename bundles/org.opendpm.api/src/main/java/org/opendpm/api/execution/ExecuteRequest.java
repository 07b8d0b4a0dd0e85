package org.opendpm.api.execution;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A request to execute a scenario.
 *
 * @param machineIds the machines (inventory ids)
 * @param scenarioId the scenario to assign to every machine first; empty runs each machine's assigned scenario
 * @param allOrNone {@code true} (a user's request): a machine failing a precondition refuses the whole request;
 *            {@code false} (a scheduled batch): that machine gets a failed result naming the precondition and the
 *            others run
 * @param requestedBy the user, or {@code schedule:<id>}
 */
public record ExecuteRequest(List<Long> machineIds, Optional<Long> scenarioId, boolean allOrNone,
        String requestedBy) {

    public ExecuteRequest {
        machineIds = List.copyOf(machineIds);
        Objects.requireNonNull(scenarioId, "scenarioId");
        Objects.requireNonNull(requestedBy, "requestedBy");
    }
}
