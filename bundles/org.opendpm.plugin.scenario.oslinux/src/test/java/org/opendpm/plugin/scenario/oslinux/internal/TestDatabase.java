package org.opendpm.plugin.scenario.oslinux.internal;

import java.util.UUID;

import org.apache.derby.jdbc.EmbeddedDataSource;
import org.opendpm.store.Database;

/** A fresh in-memory Derby database with OpenDPM's whole schema. */
public final class TestDatabase {

    private TestDatabase() {
    }

    public static Database create() {
        var ds = new EmbeddedDataSource();
        ds.setDatabaseName("memory:oslinux-test-" + UUID.randomUUID());
        ds.setCreateDatabase("create");
        return Database.over(ds);
    }
}
