package org.opendpm.store;

import java.sql.Connection;
import java.sql.SQLException;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The OpenDPM database. The service stays registered while the DataSource comes and goes, so callers keep working
 * and get {@link org.opendpm.api.StoreUnavailableException} (HTTP 503) while it is away.
 */
@ProviderType
public interface Database {

    /** Work done with one connection. */
    @FunctionalInterface
    interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    /**
     * Runs work in one transaction: committed when it returns, rolled back when it throws.
     *
     * @throws org.opendpm.api.StoreUnavailableException when the database cannot be reached
     * @throws org.opendpm.api.OpenDpmException thrown by the work, unchanged (after rollback)
     * @throws StoreException for any other SQL failure
     */
    <T> T inTransaction(Work<T> work);

    /** Whether a DataSource is bound and the schema is migrated. */
    boolean isAvailable();

    /** Database product name and version, for server information. */
    String describe();

    /**
     * A database over a DataSource outside OSGi (tools and tests): the schema is migrated at once.
     */
    static Database over(javax.sql.DataSource dataSource) {
        return org.opendpm.store.internal.JdbcDatabase.over(dataSource);
    }
}
