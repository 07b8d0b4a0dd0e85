package org.opendpm.scheduler.internal;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.derby.jdbc.EmbeddedDataSource;
import org.opendpm.api.inventory.InventoryService;
import org.opendpm.api.inventory.Machine;
import org.opendpm.api.inventory.MachineSpec;
import org.opendpm.api.inventory.NetworkSetting;
import org.opendpm.api.plugin.DeployOsMapping;
import org.opendpm.api.plugin.DeployOsResolution;
import org.opendpm.api.plugin.PluginInfo;
import org.opendpm.api.plugin.PluginRegistry;
import org.opendpm.inventory.internal.JdbcInventoryService;
import org.opendpm.spi.BootClient;
import org.opendpm.spi.BootProtocol;
import org.opendpm.spi.PowerControl;
import org.opendpm.spi.ScenarioType;
import org.opendpm.store.Database;

/**
 * The service over a fresh, migrated in-memory Derby database, with the real inventory on the same database (so the
 * assignment table's foreign key to {@code machine} is exercised) and a registry whose scenario types the test sets.
 */
final class Fixture {

    final Database database;
    final InventoryService inventory;
    final Plugins plugins = new Plugins();
    final JdbcScenarioService service;

    Fixture(Limits limits) {
        var ds = new EmbeddedDataSource();
        ds.setDatabaseName("memory:scenario-test-" + UUID.randomUUID());
        ds.setCreateDatabase("create");
        database = Database.over(ds);
        inventory = new JdbcInventoryService(database);
        service = new JdbcScenarioService(database, plugins, inventory, limits);
    }

    Fixture() {
        this(Limits.GUIDE);
    }

    /** A machine in group /g (created on first use), with a MAC derived from {@code n}. */
    Machine machine(String name, int n) {
        long group = inventory.findGroup("/g").orElseGet(() -> inventory.createGroup("/g", NetworkSetting.SAME_SUBNET))
                .id();
        return inventory.createMachine(group, new MachineSpec(name, List.of(String.format("02:00:00:00:%02x:%02x",
                n >> 8 & 255, n & 255)), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty()));
    }

    long count(String table) {
        return database.inTransaction(c -> {
            try (var ps = c.prepareStatement("SELECT COUNT(*) FROM " + table); var rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    /** Scenario types by key, changed by the test as plugins would come and go. */
    static final class Plugins implements PluginRegistry {
        final Map<String, ScenarioType> types = new ConcurrentHashMap<>();

        @Override
        public Optional<ScenarioType> scenarioType(String key) {
            return Optional.ofNullable(types.get(key));
        }

        @Override
        public List<PluginInfo> plugins() {
            throw new AssertionError("not used by this test");
        }

        @Override
        public List<DeployOsMapping> deployOsMappings() {
            throw new AssertionError("not used by this test");
        }

        @Override
        public DeployOsResolution resolveDeployOs(Optional<String> explicitDeployOsId, Optional<String> model,
                String serverDefaultId) {
            throw new AssertionError("not used by this test");
        }

        @Override
        public Optional<PowerControl> powerControl(String key) {
            throw new AssertionError("not used by this test");
        }

        @Override
        public Optional<BootProtocol> bootProtocolFor(BootClient client) {
            throw new AssertionError("not used by this test");
        }
    }
}
