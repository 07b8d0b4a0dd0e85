package org.opendpm.scheduler.internal.images.transfer;

import java.time.Instant;
import java.util.concurrent.CompletionStage;

/** Waits for a machine's Deploy-OS agent to be connected (again) after the link was lost. */
@FunctionalInterface
public interface AgentReturn {

    /** Completes once the agent is connected; fails when it is not connected by {@code until}. */
    CompletionStage<?> await(long machineId, Instant until);
}
