package org.opendpm.scheduler.internal.engine;

import org.opendpm.scheduler.internal.*;
import org.opendpm.scheduler.internal.scenario.*;
import org.opendpm.scheduler.internal.power.*;
import org.opendpm.scheduler.internal.files.*;
import org.opendpm.scheduler.internal.images.*;

import java.lang.annotation.Annotation;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.derby.jdbc.EmbeddedDataSource;
import org.opendpm.api.boot.BootIntentService;
import org.opendpm.api.boot.MachineBootIntent;
import org.opendpm.api.boot.NextBoot;
import org.opendpm.api.inventory.InventoryService;
import org.opendpm.api.inventory.Machine;
import org.opendpm.api.inventory.MachineSpec;
import org.opendpm.api.inventory.NetworkSetting;
import org.opendpm.api.scenario.Scenario;
import org.opendpm.api.scenario.ScenarioOptions;
import org.opendpm.api.scenario.ScenarioSpec;
import org.opendpm.api.settings.ServerSettings;
import org.opendpm.api.settings.ServerSettingsService;
import org.opendpm.inventory.internal.JdbcInventoryService;
import org.opendpm.store.Database;

/**
 * The execution engine over a fresh in-memory Derby database with the real inventory and scenario service; the
 * agent link, boot intents and server settings are test doubles the test drives, and the clock can be moved on.
 */
final class EngineFixture implements AutoCloseable {

    final Database database;
    final InventoryService inventory;
    final TestPlugins plugins = new TestPlugins();
    final JdbcScenarioService scenarios;
    final FakeAgentLink agents = new FakeAgentLink();
    final Settings settings = new Settings();
    final BootIntents bootIntents = new BootIntents();
    final MovableClock clock = new MovableClock();
    final PowerSettingsStore powerSettings;
    final PowerDrivers power;
    final ImageFolder images;
    final org.opendpm.scheduler.internal.images.transfer.ImageTransfers transfers;
    final ServerFiles serverFiles;
    final List<ExecutionEngine> engines = new ArrayList<>();
    final Sessions sessions = new Sessions();
    java.time.Duration pluginCallBound = java.time.Duration.ofSeconds(5);
    /** The engines' multicast sessions; none unless a test sets them before starting an engine. */
    org.opendpm.scheduler.internal.images.multicast.MulticastSessions multicast;
    long group;

    EngineFixture() throws Exception {
        var ds = new EmbeddedDataSource();
        ds.setDatabaseName("memory:engine-test-" + UUID.randomUUID());
        ds.setCreateDatabase("create");
        database = Database.over(ds);
        inventory = new JdbcInventoryService(database);
        scenarios = new JdbcScenarioService(database, plugins, inventory, Limits.GUIDE);
        powerSettings = new PowerSettingsStore(database,
                Files.createTempDirectory("power-key").resolve("driver-info.key"));
        power = new PowerDrivers(plugins, agents, powerSettings, powerConfig("fake", "127.0.0.1", 9));
        images = new ImageFolder(settings);
        transfers = new org.opendpm.scheduler.internal.images.transfer.ImageTransfers(agents, images, plugins,
                settings, Duration.ofSeconds(120), clock);
        serverFiles = new ServerFiles(Files.createTempDirectory("server-files"));
        plugins.stepExecutors.put(org.opendpm.scheduler.internal.engine.steps.MasterSetupStep.KEY,
                new org.opendpm.scheduler.internal.engine.steps.MasterSetupStep(agents));
        plugins.types.put("cmd", new TestTypes.Command(1, false));
        plugins.types.put("deploy", new TestTypes.Command(1, true));
        group = inventory.createGroup("/g", NetworkSetting.SAME_SUBNET).id();
    }

    /** A new engine over the same database, as after a restart of the server. */
    ExecutionEngine startEngine() {
        ExecutionEngine engine = new ExecutionEngine(database, scenarios, plugins, inventory, settings, agents, power,
                serverFiles, images, transfers, bootIntents, sessions, null, multicast, clock, pluginCallBound);
        agents.listeners.add(engine);
        engines.add(engine);
        return engine;
    }

    void stopEngine(ExecutionEngine engine) {
        agents.listeners.remove(engine);
        engine.deactivate();
    }

    Machine machine(String name, int n) {
        return inventory.createMachine(group, MachineSpec.of(name, String.format("02:00:00:00:%02x:%02x",
                n >> 8 & 255, n & 255)));
    }

    Machine machine(String name, int n, String deployOs) {
        return inventory.createMachine(group, new MachineSpec(name, List.of(String.format("02:00:00:01:%02x:%02x",
                n >> 8 & 255, n & 255)), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.of(deployOs)));
    }

    Scenario scenario(String name, String type, String command, ScenarioOptions options) {
        long sg = scenarios.findGroup("/tests").orElseGet(() -> scenarios.createGroup("/tests")).id();
        return scenarios.createScenario(new ScenarioSpec(name, sg, Map.of(type, Map.of("command", command)),
                options));
    }

    public static PowerDrivers.Config powerConfig(String key, String address, int port) {
        return new PowerDrivers.Config() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return PowerDrivers.Config.class;
            }

            @Override
            public String powerDriver() {
                return key;
            }

            @Override
            public int callTimeoutSeconds() {
                return 5;
            }

            @Override
            public String wakeOnLanAddress() {
                return address;
            }

            @Override
            public int wakeOnLanPort() {
                return port;
            }
        };
    }

    @Override
    public void close() {
        engines.forEach(ExecutionEngine::deactivate);
    }

    /** A clock the test moves on; starts now. */
    static final class MovableClock extends Clock {
        private final AtomicReference<Instant> now = new AtomicReference<>(Instant.now());

        void advance(Duration d) {
            now.updateAndGet(t -> t.plus(d));
        }

        @Override
        public Instant instant() {
            return now.get();
        }

        @Override
        public ZoneId getZone() {
            return ZoneId.of("UTC");
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new AssertionError("not used by this test");
        }
    }

    static final class Settings implements ServerSettingsService {
        volatile ServerSettings current = new ServerSettings(true, "/srv/images", false, 5, 10, 120,
                ServerSettings.DEFAULT_DEPLOY_OS);

        void limit(int machines) {
            ServerSettings c = current;
            current = new ServerSettings(c.useDhcpServer(), c.imageFolder(), c.checkCompletionByAgent(), machines,
                    c.remotePowerOnTimeoutMinutes(), c.scenarioTimeoutMinutes(), c.defaultDeployOs());
        }

        @Override
        public ServerSettings get() {
            return current;
        }

        @Override
        public ServerSettings update(ServerSettings settings) {
            throw new AssertionError("not used by this test");
        }
    }

    /** Deploy-OS tokens issued by machine, as the engine issues and revokes them. */
    static final class Sessions implements org.opendpm.api.boot.DeployOsSessions {
        final Map<Long, Long> issued = new ConcurrentHashMap<>();

        @Override
        public void issue(long machineId, long executionId, java.time.Instant expiresAt) {
            issued.put(machineId, executionId);
        }

        @Override
        public Optional<String> token(long machineId) {
            throw new AssertionError("not used by this test");
        }

        @Override
        public Optional<Long> redeem(String mac, String token) {
            throw new AssertionError("not used by this test");
        }

        @Override
        public void revoke(long machineId) {
            issued.remove(machineId);
        }
    }

    /** Boot intents by machine, as the engine sets and clears them. */
    static final class BootIntents implements BootIntentService {
        final Map<Long, NextBoot> intents = new ConcurrentHashMap<>();

        @Override
        public Optional<MachineBootIntent> get(long machineId) {
            throw new AssertionError("not used by this test");
        }

        @Override
        public MachineBootIntent set(long machineId, NextBoot intent, String setBy) {
            intents.put(machineId, intent);
            return null;
        }

        @Override
        public boolean clear(long machineId) {
            return intents.remove(machineId) != null;
        }

        @Override
        public boolean clearIfSetAt(long machineId, Instant setAt) {
            throw new AssertionError("not used by this test");
        }
    }

    /** Waits up to 10 s for a condition the engine reaches on its own threads. */
    static void eventually(java.util.function.BooleanSupplier condition, String what) {
        long end = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("not within 10 s: " + what);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    /** An administrator's all-or-none request, or else a schedule's batch that records refusals as results. */
    static List<org.opendpm.api.execution.Execution> request(ExecutionEngine engine, Scenario s, boolean allOrNone,
            Machine... machines) {
        return engine.execute(new org.opendpm.api.execution.ExecuteRequest(
                java.util.Arrays.stream(machines).map(Machine::id).toList(), Optional.of(s.id()), allOrNone,
                allOrNone ? "admin" : "schedule:3"));
    }
}
