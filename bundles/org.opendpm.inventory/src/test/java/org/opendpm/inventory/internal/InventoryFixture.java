package org.opendpm.inventory.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

import org.apache.derby.jdbc.EmbeddedDataSource;
import org.opendpm.store.Database;

/** A service over a fresh, migrated in-memory Derby database and an empty rule folder. */
final class InventoryFixture {

    final Database database;
    final Path ruleDir;
    final JdbcInventoryService service;

    InventoryFixture(Limits limits) {
        var ds = new EmbeddedDataSource();
        ds.setDatabaseName("memory:inventory-test-" + UUID.randomUUID());
        ds.setCreateDatabase("create");
        database = Database.over(ds);
        try {
            ruleDir = Files.createTempDirectory("inventory-rules");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        service = new JdbcInventoryService(database, ruleDir, limits);
    }

    long count(String table) {
        return database.inTransaction(c -> Sql.count(c, "SELECT COUNT(*) FROM " + table));
    }
}
