package org.opendpm.transfer.internal;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

import org.opendpm.agent.protocol.Message;
import org.opendpm.api.ValidationException;
import org.opendpm.api.agent.AgentRequestException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code prepareMaster} (SCN-4): asks the installed OS's agent to ready its machine as a master image and, once it
 * confirmed, withdraws the credential of its MAC. The agent has forgotten that credential by then; without the
 * withdrawal the machine's own agent, when the machine next starts from its disk, would be refused as
 * "already registered" for good.
 */
final class MasterPreparation {

    // The link's category, so one logger setting covers the agent link.
    private static final Logger LOG = LoggerFactory.getLogger(AgentLinkService.class);

    private final AgentSessions sessions;
    private final CredentialStore credentials;
    private final Executor blocking;
    private final Supplier<Duration> timeout;

    MasterPreparation(AgentSessions sessions, CredentialStore credentials, Executor blocking,
            Supplier<Duration> timeout) {
        this.sessions = sessions;
        this.credentials = credentials;
        this.blocking = blocking;
        this.timeout = timeout;
    }

    CompletableFuture<Void> prepare(long machineId, String system) {
        if (system == null || !Message.PrepareMaster.SYSTEMS.contains(system)) {
            return CompletableFuture.failedFuture(new ValidationException("system", "'" + system
                    + "' is not one of " + String.join(", ", Message.PrepareMaster.SYSTEMS)));
        }
        return sessions.onSession(machineId, s -> {
            if (s.info().deployOs()) {
                throw new AgentRequestException("machine " + machineId + " runs its Deploy-OS; a master is prepared"
                        + " by the agent of its installed OS");
            }
            String mac = s.mac();
            return s.<Void>request(id -> new Message.PrepareMaster(id, system), Message.Ack.class, timeout.get(),
                    a -> null).thenApplyAsync(v -> {
                        boolean withdrawn = credentials.delete(mac);
                        LOG.info("Machine {} prepared as a {} master; agent credential for MAC {} {}", machineId,
                                system, mac, withdrawn ? "withdrawn" : "was not issued");
                        return null;
                    }, blocking);
        });
    }
}
