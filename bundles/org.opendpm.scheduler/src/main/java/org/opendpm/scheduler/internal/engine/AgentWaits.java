package org.opendpm.scheduler.internal.engine;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.opendpm.api.agent.AgentInfo;
import org.opendpm.api.agent.AgentLink;
import org.opendpm.spi.AgentHandle;
import org.opendpm.spi.StepFailedException;

/** Steps waiting for a machine's agent to connect, completed by the agent link's events and expired by the loop. */
final class AgentWaits {

    private final Map<Long, List<Wait>> waits = new ConcurrentHashMap<>();
    private final AgentLink agents;

    AgentWaits(AgentLink agents) {
        this.agents = agents;
    }

    private record Wait(AgentHandle.Kind kind, Instant expiresAt, String timeoutMessage, boolean powerOn,
            CompletableFuture<AgentInfo> future) {
    }

    static boolean accepts(AgentHandle.Kind kind, AgentInfo agent) {
        return kind == AgentHandle.Kind.ANY || agent.deployOs() == (kind == AgentHandle.Kind.DEPLOY_OS);
    }

    /**
     * A future completed when the machine's agent of that kind connects. With {@code alreadyConnected} an agent
     * connected now counts; without, only a connection made after this call does. A wait that expires fails with
     * the message, as a {@link RemotePowerOnTimeout} when it followed a power-on (SCH-4).
     */
    CompletableFuture<AgentInfo> await(long machineId, AgentHandle.Kind kind, boolean alreadyConnected,
            Instant expiresAt, String timeoutMessage, boolean powerOn) {
        Wait wait = new Wait(kind, expiresAt, timeoutMessage, powerOn, new CompletableFuture<>());
        List<Wait> list = waits.computeIfAbsent(machineId, k -> new CopyOnWriteArrayList<>());
        list.add(wait);
        wait.future.whenComplete((a, t) -> list.remove(wait));
        if (alreadyConnected) {
            agents.agent(machineId).filter(a -> accepts(kind, a)).ifPresent(wait.future::complete);
        }
        return wait.future;
    }

    void connected(AgentInfo agent) {
        agent.machineId().ifPresent(id -> {
            List<Wait> list = waits.get(id);
            if (list != null) {
                for (Wait w : list) {
                    if (accepts(w.kind, agent)) {
                        w.future.complete(agent);
                    }
                }
            }
        });
    }

    void expire(Instant now) {
        for (List<Wait> list : waits.values()) {
            for (Wait w : list) {
                if (now.isAfter(w.expiresAt)) {
                    w.future.completeExceptionally(w.powerOn
                            ? new RemotePowerOnTimeout(w.timeoutMessage)
                            : new StepFailedException(w.timeoutMessage));
                }
            }
        }
    }

    /** The machine did not come up in time after a power on (SCH-4). */
    static final class RemotePowerOnTimeout extends StepFailedException {
        private static final long serialVersionUID = 1L;

        RemotePowerOnTimeout(String message) {
            super(message);
        }
    }
}
