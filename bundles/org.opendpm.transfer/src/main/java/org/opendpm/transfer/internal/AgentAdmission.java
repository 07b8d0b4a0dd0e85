package org.opendpm.transfer.internal;

import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

import org.opendpm.api.NotFoundException;
import org.opendpm.api.ValidationException;
import org.opendpm.api.boot.DeployOsSessions;
import org.opendpm.api.inventory.InventoryService;
import org.opendpm.api.inventory.Machine;
import org.opendpm.api.inventory.MachineQuery;
import org.opendpm.api.inventory.PowerState;
import org.opendpm.api.inventory.SeenBy;
import org.opendpm.api.inventory.SeenMachine;
import org.opendpm.api.inventory.SeenResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admission of agents to the link: the checks of register, hello and a Deploy-OS hello by token, run off the event
 * loop, and what they tell the inventory. Kept apart from the link's service so who gets in reads in one place.
 */
final class AgentAdmission {

    // The link's category, so one logger setting covers the agent link.
    private static final Logger LOG = LoggerFactory.getLogger(AgentLinkService.class);

    private final InventoryService inventory;
    private final CredentialStore credentials;
    /** The service's current network boot, which may come and go. */
    private final Supplier<DeployOsSessions> deployOsSessions;
    private final LinkStats stats;
    private final Executor blocking;

    AgentAdmission(InventoryService inventory, CredentialStore credentials, Supplier<DeployOsSessions> deployOsSessions,
            LinkStats stats, Executor blocking) {
        this.inventory = inventory;
        this.credentials = credentials;
        this.deployOsSessions = deployOsSessions;
        this.stats = stats;
        this.blocking = blocking;
    }

    /** Checks a register off the event loop: a credential is issued once per MAC. */
    void register(AgentSession session, Greeting g) {
        onBlocking(session, () -> {
            if (credentials.exists(g.mac())
                    && !(g.credential().isPresent() && credentials.verify(g.mac(), g.credential().get()))) {
                refuseAlreadyRegistered(session, g.mac());
                return;
            }
            try {
                SeenResult seen = seen(g);
                LOG.info("Agent {}: registered for MAC {} ({}), machine {}", session.remote(), g.mac(),
                        g.hostName().orElse("no host name"), describe(seen));
            } catch (ValidationException e) {
                session.refuse("invalid", "register for MAC " + g.mac() + " refused: " + e.getMessage(),
                        LinkStats.Kind.BAD_MEMBER);
                return;
            }
            String credential;
            try {
                credential = credentials.issue(g.mac(), session.remote(), g.credential());
            } catch (CredentialStore.AlreadyIssuedException e) {
                refuseAlreadyRegistered(session, g.mac());
                return;
            }
            stats.add(LinkStats.Kind.REGISTERED);
            session.registered(credential);
        });
    }

    private static void refuseAlreadyRegistered(AgentSession session, String mac) {
        session.refuse("already-registered", "register for MAC " + mac + " refused: a credential was already issued"
                + " for it; an administrator withdraws it with dpm:agent-reset " + mac
                + " (after replacing the machine)", LinkStats.Kind.ALREADY_REGISTERED);
    }

    /** Checks a hello off the event loop: an issued credential, or a Deploy-OS token. */
    void hello(AgentSession session, Greeting g) {
        if (g.deployOs()) {
            deployOsHello(session, g);
            return;
        }
        onBlocking(session, () -> {
            if (!credentials.verify(g.mac(), g.credential().orElse(""))) {
                session.refuse("unauthenticated", "hello for MAC " + g.mac()
                        + " refused: no credential was issued for this MAC, or it is not this one",
                        LinkStats.Kind.UNAUTHENTICATED);
                return;
            }
            Optional<Long> machineId = Optional.empty();
            try {
                SeenResult seen = seen(g);
                if (seen.outcome() == SeenResult.Outcome.KNOWN
                        || seen.outcome() == SeenResult.Outcome.AUTO_REGISTERED) {
                    machineId = owner(seen.id(), g.mac());
                }
            } catch (RuntimeException e) {
                // The session is valid whatever the inventory says; it is resolved again when a request comes.
                LOG.warn("Agent {}: the inventory could not record MAC {}: {}", session.remote(), g.mac(),
                        e.getMessage());
                machineId = byMac(g.mac());
            }
            if (machineId.isPresent()) {
                try {
                    inventory.setPowerState(machineId.get(), PowerState.ON);
                } catch (RuntimeException e) {
                    LOG.warn("Agent {}: power state of machine {} not recorded: {}", session.remote(),
                            machineId.get(), e.getMessage());
                }
            }
            stats.add(LinkStats.Kind.AUTHENTICATED);
            session.accept(machineId, Optional.empty(), Optional.empty());
        });
    }

    /**
     * A Deploy-OS agent proves with the one-time token from its kernel command line that it was booted for an
     * execution; it has no credential and does not register (its RAM disk keeps nothing). Its welcome carries a
     * resume key, with which it comes back after losing the connection while its session lasts; a wrong or stale
     * key is refused as a wrong token is. Neither is ever logged.
     */
    private void deployOsHello(AgentSession session, Greeting g) {
        onBlocking(session, () -> {
            DeployOsSessions issued = deployOsSessions.get();
            if (issued == null) {
                session.refuse("unauthenticated", "refused Deploy-OS hello for MAC " + g.mac() + " from "
                        + session.remote() + ": network boot (feature opendpm-netboot), which issues Deploy-OS "
                        + "sessions, is not installed", LinkStats.Kind.DEPLOY_OS_REFUSED);
                return;
            }
            boolean resuming = g.resumeKey().isPresent();
            Optional<Long> execution = resuming
                    ? issued.resume(g.mac(), g.resumeKey().get())
                    : issued.redeem(g.mac(), g.token().orElse(""));
            if (execution.isEmpty()) {
                session.refuse("unauthenticated", "refused Deploy-OS hello for MAC " + g.mac() + " from "
                        + session.remote() + (resuming ? ": wrong or stale resume key" : ": wrong or used token"),
                        LinkStats.Kind.DEPLOY_OS_REFUSED);
                return;
            }
            Optional<Long> machineId = byMac(g.mac());
            stats.add(LinkStats.Kind.AUTHENTICATED);
            LOG.info("Agent {}: Deploy-OS of MAC {} {} for execution {}", session.remote(), g.mac(),
                    resuming ? "resumed" : "admitted", execution.get());
            session.accept(machineId, execution, issued.resumeKey(g.mac()));
        });
    }

    /** Runs a register or hello check off the event loop; a full queue or missing database refuses the agent. */
    private void onBlocking(AgentSession session, Runnable work) {
        try {
            blocking.execute(() -> {
                try {
                    work.run();
                } catch (RuntimeException e) {
                    session.refuse("unavailable", "the server cannot check agents now: " + e.getMessage(),
                            LinkStats.Kind.SERVER_UNAVAILABLE);
                }
            });
        } catch (RejectedExecutionException e) {
            session.refuse("unavailable", "the server is too busy to check agents now",
                    LinkStats.Kind.SERVER_UNAVAILABLE);
        }
    }

    /**
     * Reports the agent's machine to the inventory (INV-4). A host name or address the inventory refuses (a name it
     * cannot take, a loopback address of an agent on the server's own host) is left out rather than refusing the
     * agent: the MAC is what identifies the machine.
     */
    private SeenResult seen(Greeting g) {
        Optional<String> ip = g.ip();
        Optional<String> name = g.hostName();
        while (true) {
            try {
                return inventory.registerSeen(new SeenMachine(SeenBy.AGENT, g.mac(), g.uuid(), ip, name));
            } catch (ValidationException e) {
                if ("ip".equals(e.field()) && ip.isPresent()) {
                    ip = Optional.empty();
                } else if ("name".equals(e.field()) && name.isPresent()) {
                    name = Optional.empty();
                } else {
                    throw e;
                }
            }
        }
    }

    private static String describe(SeenResult r) {
        switch (r.outcome()) {
        case KNOWN:
            return "already managed (id " + r.id() + ")";
        case AUTO_REGISTERED:
            return "registered by a rule file (id " + r.id() + ")";
        default:
            return "listed under New Machine";
        }
    }

    /**
     * The managed machine that owns {@code mac}, checked rather than trusted: the inventory also matches by UUID, and
     * a session acts only for the machine whose NIC its credential was issued for.
     */
    private Optional<Long> owner(long machineId, String mac) {
        try {
            return inventory.machine(machineId).macs().contains(mac) ? Optional.of(machineId) : Optional.empty();
        } catch (NotFoundException e) {
            return Optional.empty();
        }
    }

    /** The managed machine with NIC {@code mac}, if any; empty when the inventory cannot say. */
    Optional<Long> byMac(String mac) {
        try {
            return inventory.machines(new MachineQuery(Optional.empty(), false, Optional.empty(), Optional.of(mac), 0,
                    20)).machines().stream().filter(m -> m.macs().contains(mac)).map(Machine::id).findFirst();
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }
}
