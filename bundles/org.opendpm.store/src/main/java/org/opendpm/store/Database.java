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
     * @throws org.opendpm.api.StoreBusyException when the transaction was chosen as a deadlock's victim or a lock
     *         was not obtained in time (not tried again: the work may have done more than write rows)
     * @throws org.opendpm.api.OpenDpmException thrown by the work, unchanged (after rollback)
     * @throws StoreException for any other SQL failure
     */
    <T> T inTransaction(Work<T> work);

    /**
     * Runs a read for display (lists, progress) in a read-only transaction at READ UNCOMMITTED, so it neither
     * waits for nor deadlocks with the writers: on Derby it takes no row locks, on PostgreSQL it is READ COMMITTED,
     * whose readers never block. It may see rows of a transaction that is still open; use it only where such a
     * row is as good as the committed one a moment later, never for a decision. The work is run again, at most
     * {@value #READ_ATTEMPTS} times in all, when the database gives up on it for a deadlock or a lock time-out.
     *
     * @throws org.opendpm.api.StoreBusyException when the last attempt failed so too
     * @see #inTransaction(Work) for the other failures
     */
    <T> T readUncommitted(Work<T> work);

    /** How often {@link #readUncommitted(Work)} tries its work. */
    int READ_ATTEMPTS = 3;

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
