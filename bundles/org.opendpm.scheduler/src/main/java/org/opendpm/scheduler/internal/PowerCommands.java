package org.opendpm.scheduler.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.opendpm.api.ConflictException;
import org.opendpm.api.agent.AgentLink;
import org.opendpm.api.agent.AgentPowerAction;
import org.opendpm.api.inventory.Machine;
import org.opendpm.api.plugin.PluginRegistry;
import org.opendpm.spi.PowerCommand;
import org.opendpm.spi.PowerControl;
import org.opendpm.spi.PowerOperation;
import org.opendpm.spi.PowerTarget;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out power operations: asks the configured {@link PowerControl} plugin for its commands and sends them —
 * the Wake-on-LAN magic packet itself, shutdown and reboot through the agent. Used by power control (SCH-2) and by
 * the steps of executions.
 */
@Component(service = PowerCommands.class, configurationPid = PowerCommands.PID)
@Designate(ocd = PowerCommands.Config.class)
public class PowerCommands {

    static final String PID = "org.opendpm.power";
    private static final Logger LOG = LoggerFactory.getLogger(PowerCommands.class);

    @ObjectClassDefinition(name = "OpenDPM power control", description = "Which power control plugin drives "
            + "machines, and where Wake-on-LAN packets go")
    public @interface Config {
        @AttributeDefinition(description = "Key of the PowerControl plugin (wol, ipmi, redfish ...)")
        String powerControl() default "wol";

        @AttributeDefinition(description = "Destination of Wake-on-LAN packets: the broadcast address of the "
                + "machines' network (a directed broadcast such as 192.0.2.255 reaches another subnet)")
        String wakeOnLanAddress() default "255.255.255.255";

        @AttributeDefinition(description = "UDP port of Wake-on-LAN packets (9, discard, or 7)", min = "1",
                max = "65535")
        int wakeOnLanPort() default 9;
    }

    private final PluginRegistry plugins;
    private final AgentLink agents;
    private volatile Config config;

    @Activate
    public PowerCommands(@Reference PluginRegistry plugins, @Reference AgentLink agents, Config config) {
        this.plugins = plugins;
        this.agents = agents;
        this.config = config;
    }

    @Modified
    void modified(Config changed) {
        this.config = changed;
    }

    /** Sends the commands of the operation; completes when the last one is done (the agent acknowledged). */
    CompletionStage<Void> carryOut(Machine machine, PowerOperation operation) {
        return carryOut(machine.id(), new PowerTarget(machine.name(), machine.primaryMac(), machine.ip()), operation);
    }

    CompletionStage<Void> carryOut(long machineId, PowerTarget machine, PowerOperation operation) {
        String key = config.powerControl();
        PowerControl control = plugins.powerControl(key).orElseThrow(() -> new ConflictException(
                "Power control plugin '" + key + "' is not installed; machine " + machine.machineName()
                        + " cannot be powered " + operation.name().toLowerCase(java.util.Locale.ROOT)));
        List<PowerCommand> commands = control.plan(operation, machine);
        CompletionStage<Void> done = CompletableFuture.completedFuture(null);
        for (PowerCommand command : commands) {
            done = done.thenCompose(x -> send(machineId, machine, command));
        }
        return done;
    }

    private CompletionStage<Void> send(long machineId, PowerTarget machine, PowerCommand command) {
        if (command instanceof PowerCommand.WakeOnLan wol) {
            try {
                wakeOnLan(wol.mac());
                LOG.info("Wake-on-LAN sent for machine {} ({}) to {}:{}", machine.machineName(), wol.mac(),
                        config.wakeOnLanAddress(), config.wakeOnLanPort());
                return CompletableFuture.completedFuture(null);
            } catch (IOException | IllegalArgumentException e) {
                return CompletableFuture.failedFuture(new ConflictException("Wake-on-LAN for machine "
                        + machine.machineName() + " could not be sent to " + config.wakeOnLanAddress() + ":"
                        + config.wakeOnLanPort() + ": " + e.getMessage()));
            }
        }
        if (command instanceof PowerCommand.AgentRequest request) {
            return agents.power(machineId, request.action() == PowerCommand.AgentRequest.Action.SHUTDOWN
                    ? AgentPowerAction.SHUTDOWN
                    : AgentPowerAction.REBOOT);
        }
        LOG.info("Power operation {} on machine {} simulated by the power control plugin",
                ((PowerCommand.Simulated) command).operation(), machine.machineName());
        return CompletableFuture.completedFuture(null);
    }

    /** Sends the magic packet: six 0xFF bytes, then the MAC sixteen times. */
    void wakeOnLan(String mac) throws IOException {
        ByteBuffer packet = ByteBuffer.wrap(magicPacket(mac));
        try (DatagramChannel channel = DatagramChannel.open(StandardProtocolFamily.INET)) {
            channel.setOption(StandardSocketOptions.SO_BROADCAST, true);
            channel.send(packet, new InetSocketAddress(config.wakeOnLanAddress(), config.wakeOnLanPort()));
        }
    }

    static byte[] magicPacket(String mac) {
        String[] parts = mac.split("[:-]");
        if (parts.length != 6) {
            throw new IllegalArgumentException("not a MAC address: " + mac);
        }
        byte[] address = new byte[6];
        for (int i = 0; i < 6; i++) {
            address[i] = (byte) Integer.parseInt(parts[i], 16);
        }
        byte[] packet = new byte[6 + 16 * 6];
        java.util.Arrays.fill(packet, 0, 6, (byte) 0xff);
        for (int i = 0; i < 16; i++) {
            System.arraycopy(address, 0, packet, 6 + i * 6, 6);
        }
        return packet;
    }
}
