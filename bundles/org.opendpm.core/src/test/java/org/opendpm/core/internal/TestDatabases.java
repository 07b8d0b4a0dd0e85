package org.opendpm.core.internal;

import java.util.UUID;

import org.apache.derby.jdbc.EmbeddedDataSource;
import org.opendpm.store.Database;

/** A fresh, migrated in-memory Derby database per test. */
public final class TestDatabases {

    private TestDatabases() {
    }

    public static Database fresh() {
        var ds = new EmbeddedDataSource();
        ds.setDatabaseName("memory:core-test-" + UUID.randomUUID());
        ds.setCreateDatabase("create");
        return Database.over(ds);
    }
}
