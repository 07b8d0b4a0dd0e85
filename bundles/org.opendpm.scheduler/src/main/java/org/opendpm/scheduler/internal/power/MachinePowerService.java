package org.opendpm.scheduler.internal.power;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.opendpm.api.StoreUnavailableException;
import org.opendpm.api.agent.AgentInfo;
import org.opendpm.api.agent.AgentLink;
import org.opendpm.api.agent.AgentListener;
import org.opendpm.api.agent.AgentUnavailableException;
import org.opendpm.api.inventory.InventoryService;
import org.opendpm.api.inventory.Machine;
import org.opendpm.api.inventory.MachineStatus;
import org.opendpm.api.inventory.PowerState;
import org.opendpm.api.power.PowerService;
import org.opendpm.api.settings.ServerSettingsService;
import org.opendpm.spi.PowerOperation;
import org.opendpm.store.Database;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Powers machines on and off by hand or by schedule (SCH-2). A power-on is remembered in {@code power_on_wait} until
 * the machine's agent connects; past the Remote Power ON Timeout the machine is in "Remote Power ON Error" (SCH-4),
 * also when the server restarted in between.
 */
@Component(service = { PowerService.class, AgentListener.class }, immediate = true)
public class MachinePowerService implements PowerService, AgentListener {

    private static final Logger LOG = LoggerFactory.getLogger(MachinePowerService.class);

    private final Database database;
    private final InventoryService inventory;
    private final ServerSettingsService settings;
    private final AgentLink agents;
    private final PowerDrivers power;
    private final ScheduledExecutorService timer;
    private final Clock clock;

    @Activate
    public MachinePowerService(@Reference Database database, @Reference InventoryService inventory,
            @Reference ServerSettingsService settings, @Reference AgentLink agents, @Reference PowerDrivers power) {
        this(database, inventory, settings, agents, power, Clock.systemUTC());
    }

    public MachinePowerService(Database database, InventoryService inventory, ServerSettingsService settings,
            AgentLink agents, PowerDrivers power, Clock clock) {
        this.clock = clock;
        this.database = database;
        this.inventory = inventory;
        this.settings = settings;
        this.agents = agents;
        this.power = power;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "opendpm-power-on-timeout");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::expire, 1, 1, TimeUnit.SECONDS);
    }

    @Deactivate
    public void deactivate() {
        timer.shutdownNow();
    }

    @Override
    public void powerOn(long machineId) {
        Machine m = inventory.machine(machineId);
        Instant now = clock.instant();
        Instant deadline = now.plus(Duration.ofMinutes(settings.get().remotePowerOnTimeoutMinutes()));
        database.inTransaction(c -> {
            try (PreparedStatement del = c.prepareStatement("DELETE FROM power_on_wait WHERE machine_id = ?")) {
                del.setLong(1, machineId);
                del.executeUpdate();
            }
            try (PreparedStatement ins = c.prepareStatement(
                    "INSERT INTO power_on_wait (machine_id, requested_at, deadline_at) VALUES (?, ?, ?)")) {
                ins.setLong(1, machineId);
                ins.setTimestamp(2, Timestamp.from(now));
                ins.setTimestamp(3, Timestamp.from(deadline));
                ins.executeUpdate();
            }
            return null;
        });
        power.set(PowerDrivers.machine(m), PowerOperation.ON).whenComplete((v, t) -> {
            if (t != null) {
                LOG.warn("Power on of machine {} failed: {}", m.name(), t.getMessage());
            }
        });
    }

    @Override
    public void shutdown(long machineId) {
        viaAgent(machineId, PowerOperation.OFF, "shut down");
    }

    @Override
    public void reboot(long machineId) {
        viaAgent(machineId, PowerOperation.RESET, "reboot");
    }

    private void viaAgent(long machineId, PowerOperation operation, String what) {
        Machine m = inventory.machine(machineId);
        if (power.driverKey(PowerDrivers.machine(m)).equals("wol") && agents.agent(machineId).isEmpty()) {
            throw new AgentUnavailableException("Machine " + m.name() + " has no connected agent; it cannot be "
                    + (operation == PowerOperation.OFF ? "shut down" : "rebooted") + " remotely");
        }
        power.set(PowerDrivers.machine(m), operation).whenComplete((v, t) -> {
            if (t != null) {
                LOG.warn("Could not {} machine {}: {}", what, m.name(), t.getMessage());
            } else if (operation == PowerOperation.OFF) {
                inventory.setPowerState(machineId, PowerState.OFF);
            }
        });
    }

    @Override
    public void connected(AgentInfo agent) {
        agent.machineId().ifPresent(id -> timer.execute(() -> {
            try {
                database.inTransaction(c -> {
                    try (PreparedStatement del = c.prepareStatement(
                            "DELETE FROM power_on_wait WHERE machine_id = ?")) {
                        del.setLong(1, id);
                        return del.executeUpdate();
                    }
                });
            } catch (RuntimeException e) {
                LOG.warn("Could not record that machine {} came up: {}", id, e.getMessage());
            }
        }));
    }

    @Override
    public void disconnected(AgentInfo agent, String reason) {
        // A machine whose agent goes may be shutting down or just off the network; its power state stays as known.
    }

    private void expire() {
        try {
            List<Long> expired = database.inTransaction(c -> {
                List<Long> ids = new ArrayList<>();
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT machine_id FROM power_on_wait WHERE deadline_at < ?")) {
                    ps.setTimestamp(1, Timestamp.from(clock.instant()));
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            ids.add(rs.getLong(1));
                        }
                    }
                }
                for (long id : ids) {
                    try (PreparedStatement del = c.prepareStatement(
                            "DELETE FROM power_on_wait WHERE machine_id = ?")) {
                        del.setLong(1, id);
                        del.executeUpdate();
                    }
                    // Only an idle machine: an execution's own power-on reports its error itself.
                    try (PreparedStatement st = c.prepareStatement(
                            "UPDATE machine SET status = ? WHERE id = ? AND status = ?")) {
                        st.setString(1, MachineStatus.REMOTE_POWER_ON_ERROR.name());
                        st.setLong(2, id);
                        st.setString(3, MachineStatus.NONE.name());
                        st.executeUpdate();
                    }
                }
                return ids;
            });
            for (long id : expired) {
                LOG.warn("Remote Power ON Error: machine id {} did not come up within {} minutes", id,
                        settings.get().remotePowerOnTimeoutMinutes());
            }
        } catch (StoreUnavailableException e) {
            LOG.debug("Power-on time-outs wait for the database");
        } catch (RuntimeException e) {
            LOG.error("Checking power-on time-outs failed", e);
        }
    }
}
