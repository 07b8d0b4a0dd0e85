package org.opendpm.scheduler.internal.scenario;

import org.opendpm.scheduler.internal.*;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.apache.derby.jdbc.EmbeddedDataSource;
import org.opendpm.api.inventory.InventoryService;
import org.opendpm.api.inventory.Machine;
import org.opendpm.api.inventory.MachineSpec;
import org.opendpm.api.inventory.NetworkSetting;
import org.opendpm.inventory.internal.JdbcInventoryService;
import org.opendpm.store.Database;

/**
 * The service over a fresh, migrated in-memory Derby database, with the real inventory on the same database (so the
 * assignment table's foreign key to {@code machine} is exercised) and a registry whose scenario types the test sets.
 */
final class Fixture {

    final Database database;
    final InventoryService inventory;
    final TestPlugins plugins = new TestPlugins();
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
}
