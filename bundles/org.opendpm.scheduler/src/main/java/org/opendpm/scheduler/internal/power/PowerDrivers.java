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
import org.opendpm.api.ValidationException;
import org.opendpm.api.agent.AgentLink;
import org.opendpm.api.agent.AgentPowerAction;
import org.opendpm.api.plugin.PluginRegistry;
import org.opendpm.api.power.PowerDriverChoice;
import org.opendpm.scheduler.internal.engine.PluginCalls;
import org.opendpm.spi.PowerContext;
import org.opendpm.spi.PowerDriver;
import org.opendpm.spi.PowerOperation;
import org.opendpm.spi.PowerState;
import org.opendpm.spi.PowerTarget;
import org.opendpm.spi.SettingViolation;
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
 * Chooses each machine's {@link PowerDriver} and calls it on the core's threads under a time bound, with the machine's
 * stored driver info ({@link PowerSettingsStore}, secrets opened): the machine's explicit driver, else the first
 * installed driver its Deploy-OS model prefers ({@link org.opendpm.spi.DeployOsModel#powerDrivers()}), else the
 * server's default. Lends drivers the
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

    /** A machine as power control needs it; its stored power settings are read at each use. */
    public record Machine(long id, String name, String primaryMac, Optional<String> ip, Optional<String> model) {
    }

    /** A machine of the inventory. */
    public static Machine machine(org.opendpm.api.inventory.Machine m) {
        return new Machine(m.id(), m.name(), m.primaryMac(), m.ip(), m.model());
    }

    /** The driver a machine uses and why. */
    public record Choice(String key, PowerDriverChoice reason) {
    }

    private final PluginRegistry plugins;
    private final AgentLink agents;
    private final PowerSettingsStore settings;
    private volatile Config config;
    private final PluginCalls calls;

    @Activate
    public PowerDrivers(@Reference PluginRegistry plugins, @Reference AgentLink agents,
            @Reference PowerSettingsStore settings, Config config) {
        this.plugins = plugins;
        this.agents = agents;
        this.settings = settings;
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

    /** The key of the driver the machine uses, by its stored settings. */
    public String driverKey(Machine machine) {
        return choose(machine.model(), settings.read(machine.id()).flatMap(PowerSettingsStore.Stored::driver)).key();
    }

    /**
     * The driver of a machine with that model and explicit driver: the explicit driver, else the first installed
     * driver the model prefers, else the server's default.
     */
    public Choice choose(Optional<String> model, Optional<String> explicit) {
        if (explicit.filter(d -> !d.isBlank()).isPresent()) {
            return new Choice(explicit.get(), PowerDriverChoice.EXPLICIT);
        }
        for (String key : plugins.powerDriversFor(model)) {
            if (plugins.powerDriver(key).isPresent()) {
                return new Choice(key, PowerDriverChoice.MODEL);
            }
        }
        return new Choice(config.powerDriver(), PowerDriverChoice.DEFAULT);
    }

    /** Whether a driver with the key is installed now. */
    public boolean installed(String key) {
        return plugins.powerDriver(key).isPresent();
    }

    /** The driver's JSON Schema of its driver info, asked under the time bound. */
    public String driverInfoSchema(String key) {
        PowerDriver driver = plugins.powerDriver(key).orElseThrow(() -> notInstalled(key));
        return await(calls.call("Power driver '" + key + "' (driver info schema)", driver::driverInfoSchema));
    }

    /** The driver's own check of driver info, under the time bound. */
    public List<SettingViolation> validate(String key, Map<String, String> driverInfo) {
        PowerDriver driver = plugins.powerDriver(key).orElseThrow(() -> notInstalled(key));
        List<SettingViolation> found = await(calls.call("Power driver '" + key + "' (validate driver info)",
                () -> driver.validate(Map.copyOf(driverInfo))));
        return found == null ? List.of() : found;
    }

    private static ValidationException notInstalled(String key) {
        return new ValidationException("driver", "Power driver '" + key + "' is not installed");
    }

    private <T> T await(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConflictException("Interrupted while waiting for a power driver");
        } catch (ExecutionException e) {
            // PluginCalls names the driver and the call; a plugin failing is a conflict with it, not bad input.
            throw new ConflictException(e.getCause().getMessage());
        }
    }

    /** Carries out the operation; completes when the driver returned (the machine may still be coming up). */
    public CompletionStage<Void> set(Machine machine, PowerOperation operation) {
        PowerSettingsStore.Settings stored = settings.settings(machine.id(), machine.name());
        String key = choose(machine.model(), stored.driver()).key();
        PowerDriver driver = driver(key, machine, operation.name().toLowerCase(Locale.ROOT));
        PowerTarget target = target(machine, stored);
        return calls.call("Power driver '" + key + "' (" + operation + " on " + machine.name() + ")", () -> {
            driver.set(target, operation, context(machine));
            LOG.info("Power {} of machine {} done by driver {}", operation, machine.name(), key);
            return null;
        });
    }

    /** The machine's power state as its driver reports it. */
    public CompletionStage<PowerState> state(Machine machine) {
        PowerSettingsStore.Settings stored = settings.settings(machine.id(), machine.name());
        String key = choose(machine.model(), stored.driver()).key();
        PowerDriver driver = driver(key, machine, "read");
        PowerTarget target = target(machine, stored);
        return calls.call("Power driver '" + key + "' (state of " + machine.name() + ")", () -> {
            PowerState s = driver.state(target, context(machine));
            return s == null ? PowerState.UNKNOWN : s;
        });
    }

    private PowerDriver driver(String key, Machine machine, String what) {
        return plugins.powerDriver(key).orElseThrow(() -> new ConflictException("Power driver '" + key
                + "' is not installed; the power of machine " + machine.name() + " cannot be " + what));
    }

    private static PowerTarget target(Machine m, PowerSettingsStore.Settings stored) {
        return new PowerTarget(m.name(), m.primaryMac(), m.ip(), stored.driverInfo());
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
