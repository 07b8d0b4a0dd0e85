package org.opendpm.scheduler.internal.power;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.annotation.Annotation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.apache.derby.jdbc.EmbeddedDataSource;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.opendpm.api.ConflictException;
import org.opendpm.api.NotFoundException;
import org.opendpm.api.StoreUnavailableException;
import org.opendpm.api.ValidationException;
import org.opendpm.api.inventory.InventoryService;
import org.opendpm.api.inventory.Machine;
import org.opendpm.api.inventory.MachineSpec;
import org.opendpm.api.inventory.NetworkSetting;
import org.opendpm.api.power.MachinePowerSettings;
import org.opendpm.api.power.PowerDriverChoice;
import org.opendpm.api.power.PowerSettingsUpdate;
import org.opendpm.inventory.internal.JdbcInventoryService;
import org.opendpm.plugin.power.fake.internal.FakePowerDriver;
import org.opendpm.scheduler.internal.FakeAgentLink;
import org.opendpm.scheduler.internal.TestPlugins;
import org.opendpm.spi.PowerContext;
import org.opendpm.spi.PowerDriver;
import org.opendpm.spi.PowerOperation;
import org.opendpm.spi.PowerState;
import org.opendpm.spi.PowerTarget;
import org.opendpm.spi.SettingViolation;
import org.opendpm.store.Database;

/**
 * A machine's power driver and driver info (SCH-2, SCH-4: remote power on goes through the machine's driver) over the
 * real inventory on embedded Derby, with the fake power plugin as it ships and a driver that records what it is
 * called with.
 */
public class PowerSettingsTest {

    private static final String SECRET = "s3cret-Pässwort";

    /** A BMC-like driver: address required, port an integer, password a secret; it refuses one address itself. */
    static class RecordingDriver implements PowerDriver {
        final List<Map<String, String>> calledWith = new ArrayList<>();

        @Override
        public String driverInfoSchema() {
            return "{\"type\":\"object\",\"additionalProperties\":false,\"required\":[\"address\"],"
                    + "\"properties\":{\"address\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":255},"
                    + "\"port\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":65535},"
                    + "\"user\":{\"type\":\"string\",\"pattern\":\"^[a-z]+$\"},"
                    + "\"password\":{\"type\":\"string\",\"writeOnly\":true},"
                    + "\"token\":{\"type\":\"string\",\"writeOnly\":true}}}";
        }

        @Override
        public List<SettingViolation> validate(Map<String, String> driverInfo) {
            return "unreachable.example".equals(driverInfo.get("address"))
                    ? List.of(new SettingViolation("address", "the BMC at that address does not answer"))
                    : List.of();
        }

        @Override
        public PowerState state(PowerTarget target, PowerContext context) {
            calledWith.add(target.driverInfo());
            return PowerState.ON;
        }

        @Override
        public void set(PowerTarget target, PowerOperation operation, PowerContext context) {
            calledWith.add(target.driverInfo());
        }
    }

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private Database database;
    private InventoryService inventory;
    private final TestPlugins plugins = new TestPlugins();
    private final RecordingDriver bmc = new RecordingDriver();
    private final FakePowerDriver fake = new FakePowerDriver();
    private Path keyFile;
    private PowerSettingsStore store;
    private PowerDrivers drivers;
    private MachinePowerSettingsService service;
    private long group;

    @Before
    public void setUp() throws Exception {
        var ds = new EmbeddedDataSource();
        ds.setDatabaseName("memory:power-test-" + UUID.randomUUID());
        ds.setCreateDatabase("create");
        database = Database.over(ds);
        inventory = new JdbcInventoryService(database);
        group = inventory.createGroup("/g", NetworkSetting.SAME_SUBNET).id();
        plugins.powerDrivers.put("bmc", bmc);
        plugins.powerDrivers.put("fake", fake);
        plugins.modelPowerDrivers.put("Acme 1000", List.of("ipmi", "fake"));
        keyFile = tmp.getRoot().toPath().resolve("data/power/driver-info.key");
        store = new PowerSettingsStore(database, keyFile);
        drivers = new PowerDrivers(plugins, new FakeAgentLink(), store, config("wol"));
        service = new MachinePowerSettingsService(inventory, drivers, store);
    }

    @After
    public void tearDown() {
        drivers.deactivate();
    }

    static PowerDrivers.Config config(String defaultDriver) {
        return new PowerDrivers.Config() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return PowerDrivers.Config.class;
            }

            @Override
            public String powerDriver() {
                return defaultDriver;
            }

            @Override
            public String wakeOnLanAddress() {
                return "127.0.0.1";
            }

            @Override
            public int wakeOnLanPort() {
                return 9;
            }

            @Override
            public int callTimeoutSeconds() {
                return 5;
            }
        };
    }

    private Machine machine(String name, int n, String model) {
        return inventory.createMachine(group, new MachineSpec(name, List.of(String.format("02:00:00:00:00:%02x", n)),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.ofNullable(model), Optional.empty()));
    }

    private static PowerSettingsUpdate update(String driver, String... keyValues) {
        Map<String, String> info = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            info.put(keyValues[i], keyValues[i + 1]);
        }
        return new PowerSettingsUpdate(Optional.ofNullable(driver), info);
    }

    private static <T> T done(java.util.concurrent.CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    /** Every info_value stored, as the database holds it. */
    private List<String> rawValues() {
        return database.inTransaction(c -> {
            List<String> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT name, secret, info_value FROM machine_power_info");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1) + "|" + rs.getBoolean(2) + "|" + rs.getString(3));
                }
            }
            return out;
        });
    }

    /** SCH-2: stored settings come back without their secrets, and the driver is called with all of them. */
    @Test
    public void settingsRoundTripAndTheDriverGetsTheSecretsOpened() throws Exception {
        Machine m = machine("pc1", 1, null);
        MachinePowerSettings set = service.set(m.id(), update("bmc", "address", "10.0.0.5", "port", "623",
                "user", "admin", "password", SECRET), "alice");
        assertThat(set.driver()).contains("bmc");
        assertThat(set.effectiveDriver()).isEqualTo("bmc");
        assertThat(set.choice()).isEqualTo(PowerDriverChoice.EXPLICIT);
        assertThat(set.driverInstalled()).isTrue();
        assertThat(set.driverInfo()).isEqualTo(Map.of("address", "10.0.0.5", "port", "623", "user", "admin"));
        assertThat(set.secretsSet()).containsExactly("password");
        assertThat(set.driverInfoSchema()).contains(bmc.driverInfoSchema());
        assertThat(set.setBy()).contains("alice");
        assertThat(set.setAt()).isPresent();
        assertThat(service.get(m.id())).isEqualTo(set);
        assertThat(set.toString()).doesNotContain(SECRET);

        done(drivers.set(PowerDrivers.machine(m), PowerOperation.ON));
        assertThat(done(drivers.state(PowerDrivers.machine(m)))).isEqualTo(PowerState.ON);
        assertThat(bmc.calledWith).hasSize(2).allSatisfy(info -> assertThat(info).isEqualTo(Map.of(
                "address", "10.0.0.5", "port", "623", "user", "admin", "password", SECRET)));
    }

    /** The secret is sealed in the table: neither the value nor any part of it as text is there. */
    @Test
    public void secretsAreNotInTheTableInPlainText() {
        Machine m = machine("pc1", 1, null);
        service.set(m.id(), update("bmc", "address", "10.0.0.5", "password", SECRET), "alice");
        List<String> raw = rawValues();
        assertThat(raw).hasSize(2).contains("address|false|10.0.0.5");
        String sealed = raw.stream().filter(r -> r.startsWith("password|true|")).findFirst().orElseThrow();
        assertThat(sealed).doesNotContain(SECRET).doesNotContain("s3cret").contains("|v1.");
        assertThat(Files.exists(keyFile)).isTrue();
        // The same secret stored again seals to another text (a fresh IV).
        service.set(m.id(), update("bmc", "address", "10.0.0.5", "password", SECRET), "alice");
        assertThat(rawValues()).doesNotContain(sealed);
    }

    /** Secrets are write-only: left out they stay, "" removes them, another driver drops them. */
    @Test
    public void secretsLeftOutAreKeptWhileTheDriverStays() throws Exception {
        Machine m = machine("pc1", 1, null);
        service.set(m.id(), update("bmc", "address", "10.0.0.5", "password", SECRET, "token", "t0k"), "alice");
        MachinePowerSettings changed = service.set(m.id(), update("bmc", "address", "10.0.0.6", "token", ""), "bob");
        assertThat(changed.driverInfo()).isEqualTo(Map.of("address", "10.0.0.6"));
        assertThat(changed.secretsSet()).containsExactly("password");
        done(drivers.set(PowerDrivers.machine(m), PowerOperation.OFF));
        assertThat(bmc.calledWith.get(0)).isEqualTo(Map.of("address", "10.0.0.6", "password", SECRET));

        MachinePowerSettings other = service.set(m.id(), update("fake", "bmcAddress", "10.0.0.7"), "bob");
        assertThat(other.secretsSet()).isEmpty();
        assertThat(rawValues()).containsExactly("bmcAddress|false|10.0.0.7");

        MachinePowerSettings cleared = service.set(m.id(), update(null), "bob");
        assertThat(cleared.driver()).isEmpty();
        assertThat(cleared.setBy()).isEmpty();
        assertThat(cleared.choice()).isEqualTo(PowerDriverChoice.DEFAULT);
        assertThat(rawValues()).isEmpty();
    }

    /** The choice order: explicit, then the model's first installed driver, then the server default. */
    @Test
    public void theDriverIsExplicitThenTheModelsThenTheDefault() throws Exception {
        Machine acme = machine("acme", 1, "Acme 1000");
        Machine other = machine("other", 2, "Other");
        Machine unknown = machine("unknown", 3, null);

        MachinePowerSettings byModel = service.get(acme.id());
        assertThat(byModel.effectiveDriver()).as("ipmi is not installed; fake is next").isEqualTo("fake");
        assertThat(byModel.choice()).isEqualTo(PowerDriverChoice.MODEL);
        assertThat(byModel.driverInfoSchema()).contains(fake.driverInfoSchema());
        assertThat(service.get(other.id()).choice()).isEqualTo(PowerDriverChoice.DEFAULT);
        assertThat(service.get(other.id()).effectiveDriver()).isEqualTo("wol");
        assertThat(service.get(unknown.id()).effectiveDriver()).isEqualTo("wol");

        // The machine whose model prefers the fake driver is powered by it, with its stored (automatic) driver info.
        service.set(acme.id(), update(null, "bmcAddress", "192.0.2.10", "password", SECRET), "alice");
        assertThat(service.get(acme.id()).choice()).isEqualTo(PowerDriverChoice.MODEL);
        assertThat(done(drivers.state(PowerDrivers.machine(acme)))).isEqualTo(PowerState.OFF);
        done(drivers.set(PowerDrivers.machine(acme), PowerOperation.ON));
        assertThat(done(drivers.state(PowerDrivers.machine(acme)))).isEqualTo(PowerState.ON);
        assertThat(bmc.calledWith).isEmpty();

        // An explicit driver wins over the model's.
        service.set(acme.id(), update("bmc", "address", "10.0.0.5"), "alice");
        assertThat(service.get(acme.id()).choice()).isEqualTo(PowerDriverChoice.EXPLICIT);
        assertThat(drivers.driverKey(PowerDrivers.machine(acme))).isEqualTo("bmc");
        done(drivers.set(PowerDrivers.machine(acme), PowerOperation.OFF));
        assertThat(bmc.calledWith).containsExactly(Map.of("address", "10.0.0.5"));
        assertThat(done(drivers.state(PowerDrivers.machine(other)))).isEqualTo(PowerState.UNKNOWN);
    }

    @Test
    public void badInputIsRefusedNamingTheFieldAndNothingIsStored() {
        Machine m = machine("pc1", 1, null);
        assertThat(field(() -> service.set(m.id(), update("ipmi", "address", "a"), "x")))
                .isEqualTo("driver: Power driver 'ipmi' is not installed");
        assertThat(field(() -> service.set(m.id(), update("no such/driver"), "x"))).startsWith("driver: ");
        assertThat(field(() -> service.set(m.id(), update("bmc", "address", "a", "colour", "red"), "x")))
                .isEqualTo("driverInfo.colour: unknown property 'colour'; known: [address, port, user, password,"
                        + " token]");
        assertThat(field(() -> service.set(m.id(), update("bmc", "password", SECRET), "x")))
                .isEqualTo("driverInfo.address: 'address' is required");
        assertThat(field(() -> service.set(m.id(), update("bmc", "address", "a", "port", "six"), "x")))
                .isEqualTo("driverInfo.port: 'port' must be an integer");
        assertThat(field(() -> service.set(m.id(), update("bmc", "address", "a", "port", "70000"), "x")))
                .isEqualTo("driverInfo.port: 'port' must be at most 65535");
        assertThat(field(() -> service.set(m.id(), update("bmc", "address", "a", "user", "Root"), "x")))
                .isEqualTo("driverInfo.user: 'user' does not match the pattern ^[a-z]+$");
        assertThat(field(() -> service.set(m.id(), update("bmc", "address", "unreachable.example",
                "password", SECRET), "x")))
                .isEqualTo("driverInfo.address: the BMC at that address does not answer");
        assertThat(field(() -> service.set(m.id(), update("fake", "bmcAddress", ""), "x")))
                .isEqualTo("driverInfo.bmcAddress: 'bmcAddress' must have at least 1 characters");
        assertThat(field(() -> service.set(m.id(), update("bmc", "address", "a".repeat(1025)), "x")))
                .startsWith("driverInfo.address: 'address' is longer than 1024");
        assertThat(field(() -> service.set(m.id(), update("bmc", "1st", "a"), "x"))).startsWith("driverInfo: ");
        String[] many = new String[66];
        for (int i = 0; i < 66; i += 2) {
            many[i] = "p" + i;
            many[i + 1] = "v";
        }
        assertThat(field(() -> service.set(m.id(), update("bmc", many), "x")))
                .isEqualTo("driverInfo: Driver info has at most 32 properties, not 33");
        Map<String, String> withNull = new LinkedHashMap<>();
        withNull.put("address", null);
        assertThat(field(() -> service.set(m.id(), new PowerSettingsUpdate(Optional.of("bmc"), withNull), "x")))
                .isEqualTo("driverInfo.address: 'address' has no value");
        // The automatic choice is the default "wol", which reads no driver info.
        assertThat(field(() -> service.set(m.id(), update(null, "address", "a"), "x")))
                .startsWith("driverInfo.address: unknown property 'address'");
        assertThat(rawValues()).isEmpty();
        assertThat(service.get(m.id()).setBy()).isEmpty();
        assertThatThrownBy(() -> service.get(999)).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> service.set(999, update("bmc", "address", "a"), "x"))
                .isInstanceOf(NotFoundException.class);
    }

    @Test
    public void anAutomaticDriverThatIsNotInstalledTakesNoDriverInfo() throws Exception {
        drivers.modified(config("ipmi"));
        Machine m = machine("pc1", 1, null);
        assertThat(service.get(m.id()).driverInstalled()).isFalse();
        assertThat(service.get(m.id()).driverInfoSchema()).isEmpty();
        assertThat(field(() -> service.set(m.id(), update(null, "address", "a"), "x"))).isEqualTo("driver: Power"
                + " driver 'ipmi', the machine's server default, is not installed: its driver info cannot be checked;"
                + " name an installed driver");
        assertThat(service.set(m.id(), update(null), "x").effectiveDriver()).isEqualTo("ipmi");
    }

    /** A driver whose schema is broken is the driver's fault (409), not bad input. */
    @Test
    public void aDriverWithABrokenSchemaIsAConflict() {
        plugins.powerDrivers.put("broken", new RecordingDriver() {
            @Override
            public String driverInfoSchema() {
                return "{\"type\":\"array\"}";
            }
        });
        Machine m = machine("pc1", 1, null);
        assertThatThrownBy(() -> service.set(m.id(), update("broken", "a", "b"), "x"))
                .isInstanceOf(ConflictException.class).hasMessage("Power driver 'broken' has a broken driver info"
                        + " schema: the driver info schema does not describe an object");
        plugins.powerDrivers.put("throwing", new RecordingDriver() {
            @Override
            public List<SettingViolation> validate(Map<String, String> driverInfo) {
                throw new IllegalStateException("bug");
            }
        });
        assertThatThrownBy(() -> service.set(m.id(), update("throwing", "address", "a"), "x"))
                .isInstanceOf(ConflictException.class).hasMessageContaining("Power driver 'throwing' (validate"
                        + " driver info) failed");
        assertThat(rawValues()).isEmpty();
    }

    /** The rows go with their machine. */
    @Test
    public void deletingTheMachineDeletesItsPowerSettings() {
        Machine m = machine("pc1", 1, null);
        service.set(m.id(), update("bmc", "address", "10.0.0.5", "password", SECRET), "alice");
        inventory.deleteMachine(m.id());
        assertThat(rawValues()).isEmpty();
        assertThat(store.read(m.id())).isEmpty();
    }

    /** A server with another key file cannot read the secrets, nor store new ones the others could not read. */
    @Test
    public void anotherKeyFileIsAClearError() throws Exception {
        Machine m = machine("pc1", 1, null);
        service.set(m.id(), update("bmc", "address", "10.0.0.5", "password", SECRET), "alice");

        Path otherKey = tmp.getRoot().toPath().resolve("other/driver-info.key");
        PowerSettingsStore otherStore = new PowerSettingsStore(database, otherKey);
        PowerDrivers otherDrivers = new PowerDrivers(plugins, new FakeAgentLink(), otherStore, config("wol"));
        try {
            MachinePowerSettingsService otherService = new MachinePowerSettingsService(inventory, otherDrivers,
                    otherStore);
            // Reading what may be shown needs no key.
            assertThat(otherService.get(m.id()).secretsSet()).containsExactly("password");
            assertThatThrownBy(() -> otherDrivers.set(PowerDrivers.machine(m), PowerOperation.ON))
                    .isInstanceOf(StoreUnavailableException.class)
                    .hasMessageContaining("The power driver secret 'password' of machine pc1 cannot be read")
                    .hasMessageContaining("another key than the one in " + otherKey)
                    .hasMessageContaining("must share " + otherKey)
                    .hasMessageNotContaining(SECRET);
            assertThatThrownBy(() -> otherService.set(m.id(), update("bmc", "address", "10.0.0.6", "password",
                    "new"), "bob")).isInstanceOf(StoreUnavailableException.class)
                    .hasMessage("Power driver secrets cannot be stored: the key in " + otherKey + " differs from the"
                            + " key of the servers already using this database; copy their file here");
            // Copying the first server's file is the cure.
            Files.copy(keyFile, otherKey, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            PowerSettingsStore copied = new PowerSettingsStore(database, otherKey);
            assertThat(copied.settings(m.id(), "pc1").driverInfo()).containsEntry("password", SECRET);
        } finally {
            otherDrivers.deactivate();
        }
        assertThat(bmc.calledWith).isEmpty();
    }

    @Test
    public void aKeyFileThatHoldsNoKeyIsAClearErrorOnlyWhereSecretsAreNeeded() throws Exception {
        Files.createDirectories(keyFile.getParent());
        Files.writeString(keyFile, "garbage!");
        Machine m = machine("pc1", 1, null);
        // Without secrets the key is never needed.
        service.set(m.id(), update("bmc", "address", "10.0.0.5"), "alice");
        done(drivers.set(PowerDrivers.machine(m), PowerOperation.ON));
        assertThatThrownBy(() -> service.set(m.id(), update("bmc", "address", "10.0.0.5", "password", SECRET),
                "alice")).isInstanceOf(StoreUnavailableException.class)
                .hasMessage("Power driver secrets are unavailable: " + keyFile + " is not a power driver info key (not"
                        + " base64url)");
    }

    /** "field: message" of the ValidationException the call throws. */
    private static String field(Runnable call) {
        try {
            call.run();
        } catch (ValidationException e) {
            assertThat(e.getMessage()).doesNotContain(SECRET);
            return e.field() + ": " + e.getMessage();
        }
        throw new AssertionError("not refused");
    }
}
