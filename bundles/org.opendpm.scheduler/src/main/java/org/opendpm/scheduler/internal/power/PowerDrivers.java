package org.opendpm.scheduler.internal.power;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.opendpm.api.ConflictException;
import org.opendpm.api.agent.AgentLink;
import org.opendpm.api.agent.AgentPowerAction;
import org.opendpm.api.plugin.PluginRegistry;
import org.opendpm.scheduler.internal.engine.PluginCalls;
import org.opendpm.spi.PowerContext;
import org.opendpm.spi.PowerDriver;
import org.opendpm.spi.PowerOperation;
import org.opendpm.spi.PowerState;
import org.opendpm.spi.PowerTarget;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses each machine's {@link PowerDriver} and calls it on the core's threads under a time bound: the machine's
 * explicit driver, else the first installed driver its Deploy-OS model prefers
 * ({@link org.opendpm.spi.DeployOsModel#powerDrivers()}), else the server's default. Lends drivers the
 * {@link PowerContext} (Wake-on-LAN packets to the configured address, the agent's shutdown and reboot). Used by power
 * control (SCH-2) and by execution steps.
 */
@Component(service = PowerDrivers.class, configurationPid = PowerDrivers.PID)
@Designate(ocd = PowerDrivers.Config.class)
public class PowerDrivers {

    static final String PID = "org.opendpm.power";
    private static final Logger LOG = LoggerFactory.getLogger(PowerDrivers.class);

    @ObjectClassDefinition(name = "OpenDPM power control", description = "The default power driver, and where "
            + "Wake-on-LAN packets go")
    public @interface Config {
        @AttributeDefinition(description = "Key of the power driver for machines that name none and whose model "
                + "prefers none that is installed (wol, ipmi, redfish ...)")
        String powerDriver() default "wol";

        @AttributeDefinition(description = "Destination of Wake-on-LAN packets: the broadcast address of the "
                + "machines' network (a directed broadcast such as 192.0.2.255 reaches another subnet)")
        String wakeOnLanAddress() default "255.255.255.255";

        @AttributeDefinition(description = "UDP port of Wake-on-LAN packets (9, discard, or 7)", min = "1",
                max = "65535")
        int wakeOnLanPort() default 9;

        @AttributeDefinition(description = "Seconds a power driver may take for one call", min = "1")
        int callTimeoutSeconds() default 60;
    }

    /** A machine as power control needs it. */
    public record Machine(long id, String name, String primaryMac, Optional<String> ip, Optional<String> model,
            Optional<String> driver, Map<String, String> driverInfo) {
    }

    /** A machine of the inventory, with its power settings. */
    public static Machine machine(org.opendpm.api.inventory.Machine m) {
        return new Machine(m.id(), m.name(), m.primaryMac(), m.ip(), m.model(), Optional.empty(), Map.of());
    }

    private final PluginRegistry plugins;
    private final AgentLink agents;
    private volatile Config config;
    private final PluginCalls calls;

    @Activate
    public PowerDrivers(@Reference PluginRegistry plugins, @Reference AgentLink agents, Config config) {
        this.plugins = plugins;
        this.agents = agents;
        this.config = config;
        this.calls = new PluginCalls("opendpm-power", 32, 4096, Duration.ofSeconds(config.callTimeoutSeconds()));
    }

    @Modified
    void modified(Config changed) {
        this.config = changed;
    }

    @Deactivate
    public void deactivate() {
        calls.close();
    }

    /** The key of the driver the machine uses. */
    public String driverKey(Machine machine) {
        if (machine.driver().filter(d -> !d.isBlank()).isPresent()) {
            return machine.driver().get();
        }
        List<String> preferred = plugins.powerDriversFor(machine.model());
        for (String key : preferred) {
            if (plugins.powerDriver(key).isPresent()) {
                return key;
            }
        }
        return config.powerDriver();
    }

    /** Carries out the operation; completes when the driver returned (the machine may still be coming up). */
    public CompletionStage<Void> set(Machine machine, PowerOperation operation) {
        String key = driverKey(machine);
        PowerDriver driver = driver(key, machine, operation.name().toLowerCase(Locale.ROOT));
        return calls.call("Power driver '" + key + "' (" + operation + " on " + machine.name() + ")", () -> {
            driver.set(target(machine), operation, context(machine));
            LOG.info("Power {} of machine {} done by driver {}", operation, machine.name(), key);
            return null;
        });
    }

    /** The machine's power state as its driver reports it. */
    public CompletionStage<PowerState> state(Machine machine) {
        String key = driverKey(machine);
        PowerDriver driver = driver(key, machine, "read");
        return calls.call("Power driver '" + key + "' (state of " + machine.name() + ")", () -> {
            PowerState s = driver.state(target(machine), context(machine));
            return s == null ? PowerState.UNKNOWN : s;
        });
    }

    private PowerDriver driver(String key, Machine machine, String what) {
        return plugins.powerDriver(key).orElseThrow(() -> new ConflictException("Power driver '" + key
                + "' is not installed; the power of machine " + machine.name() + " cannot be " + what));
    }

    private static PowerTarget target(Machine m) {
        return new PowerTarget(m.name(), m.primaryMac(), m.ip(), m.driverInfo());
    }

    private PowerContext context(Machine machine) {
        Config c = config;
        return new PowerContext() {
            @Override
            public void wakeOnLan(String mac) throws IOException {
                sendMagicPacket(mac, c);
                LOG.info("Wake-on-LAN sent for machine {} ({}) to {}:{}", machine.name(), mac, c.wakeOnLanAddress(),
                        c.wakeOnLanPort());
            }

            @Override
            public boolean agentConnected() {
                return agents.agent(machine.id()).isPresent();
            }

            @Override
            public void agentPower(boolean reboot) throws Exception {
                CompletionStage<Void> ack = agents.power(machine.id(),
                        reboot ? AgentPowerAction.REBOOT : AgentPowerAction.SHUTDOWN);
                try {
                    ack.toCompletableFuture().get(c.callTimeoutSeconds(), TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof Exception ex ? ex : e;
                } catch (TimeoutException e) {
                    throw new IOException("the agent did not acknowledge within " + c.callTimeoutSeconds() + " s");
                }
            }
        };
    }

    /** Sends the magic packet: six 0xFF bytes, then the MAC sixteen times. */
    static void sendMagicPacket(String mac, Config c) throws IOException {
        ByteBuffer packet = ByteBuffer.wrap(magicPacket(mac));
        try (DatagramChannel channel = DatagramChannel.open(StandardProtocolFamily.INET)) {
            channel.setOption(StandardSocketOptions.SO_BROADCAST, true);
            channel.send(packet, new InetSocketAddress(c.wakeOnLanAddress(), c.wakeOnLanPort()));
        }
    }

    public static byte[] magicPacket(String mac) {
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
