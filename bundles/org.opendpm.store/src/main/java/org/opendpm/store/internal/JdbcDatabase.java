package org.opendpm.store.internal;

import java.sql.Connection;
import java.sql.SQLException;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import javax.sql.DataSource;

import org.opendpm.api.OpenDpmException;
import org.opendpm.api.StoreBusyException;
import org.opendpm.api.StoreUnavailableException;
import org.opendpm.store.Database;
import org.opendpm.store.DatabaseReadyListener;
import org.opendpm.store.StoreException;
import org.osgi.service.component.ComponentServiceObjects;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The database over the pax-jdbc DataSource {@code opendpm}. The DataSource reference is optional and dynamic so
 * that everything built on this service stays up when the DataSource goes and answers "unavailable" instead of
 * disappearing.
 */
@Component(service = Database.class, immediate = true)
public class JdbcDatabase implements Database {

    private static final Logger LOG = LoggerFactory.getLogger(JdbcDatabase.class);
    private static final Set<String> BUSY_STATES = Set.of("40001", "40P01", "40XL1", "40XL2", "55P03");
    private static final long RETRY_PAUSE_MILLIS = 20;

    /** A DataSource together with the outcome of migrating it; replaced as a whole when the DataSource changes. */
    private record Bound(DataSource dataSource, String description, String failure) {
    }

    private volatile Bound bound;
    private final List<ComponentServiceObjects<DatabaseReadyListener>> listeners = new CopyOnWriteArrayList<>();
    // Listeners are told on their own thread: a listener may need services that need this one, and calling it
    // while this component is being activated would be a cycle.
    private final ExecutorService notifier = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "opendpm-database-ready");
        t.setDaemon(true);
        return t;
    });

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void bindListener(ComponentServiceObjects<DatabaseReadyListener> listener) {
        listeners.add(listener);
        if (isAvailable()) {
            notifyReady(listener);
        }
    }

    void unbindListener(ComponentServiceObjects<DatabaseReadyListener> listener) {
        listeners.remove(listener);
    }

    private void notifyReady(ComponentServiceObjects<DatabaseReadyListener> listener) {
        notifier.execute(() -> {
            DatabaseReadyListener l = null;
            try {
                l = listener.getService();
                if (l != null) {
                    l.databaseReady(this);
                }
            } catch (RuntimeException e) {
                LOG.error("Database ready listener failed", e);
            } finally {
                if (l != null) {
                    try {
                        listener.ungetService(l);
                    } catch (IllegalStateException gone) {
                        // the listener went away meanwhile
                    }
                }
            }
        });
    }

    @Deactivate
    void deactivate() {
        notifier.shutdownNow();
    }

    @Reference(target = "(dataSourceName=opendpm)", cardinality = ReferenceCardinality.OPTIONAL,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindDataSource(DataSource dataSource) {
        bound = migrate(dataSource);
        if (isAvailable()) {
            listeners.forEach(this::notifyReady);
        }
    }

    void unbindDataSource(DataSource dataSource) {
        Bound b = bound;
        if (b != null && b.dataSource() == dataSource) {
            bound = null;
            LOG.warn("DataSource 'opendpm' is gone; requests needing the database answer 503 until it returns");
        }
    }

    /** Binds a DataSource outside OSGi (tests, tools). */
    public static JdbcDatabase over(DataSource dataSource) {
        JdbcDatabase db = new JdbcDatabase();
        db.bindDataSource(dataSource);
        return db;
    }

    private static Bound migrate(DataSource dataSource) {
        try (Connection c = dataSource.getConnection()) {
            var meta = c.getMetaData();
            String description = meta.getDatabaseProductName() + " " + meta.getDatabaseProductVersion();
            new SchemaMigrator().migrate(c);
            LOG.info("Database ready: {}", description);
            return new Bound(dataSource, description, null);
        } catch (SQLException | RuntimeException e) {
            LOG.error("Database migration failed; the database is unavailable until this is fixed", e);
            return new Bound(dataSource, "", "schema migration failed: " + e.getMessage());
        }
    }

    @Override
    public <T> T inTransaction(Work<T> work) {
        return run(work, false);
    }

    @Override
    public <T> T readUncommitted(Work<T> work) {
        for (int attempt = 1;; attempt++) {
            try {
                return run(work, true);
            } catch (StoreBusyException e) {
                if (attempt == READ_ATTEMPTS) {
                    throw e;
                }
                LOG.debug("Read attempt {} of {} given up by the database: {}", attempt, READ_ATTEMPTS,
                        e.getMessage());
                pause(attempt);
            }
        }
    }

    /** A short pause before the next attempt, longer each time, so the work in the way can finish. */
    private static void pause(int attempt) {
        try {
            Thread.sleep(RETRY_PAUSE_MILLIS * attempt);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreBusyException("The database is busy; interrupted before trying again", e);
        }
    }

    private <T> T run(Work<T> work, boolean readUncommitted) {
        Bound b = bound;
        if (b == null) {
            throw new StoreUnavailableException("The database is not available: no DataSource 'opendpm' is registered");
        }
        if (b.failure() != null) {
            throw new StoreUnavailableException("The database is not available: " + b.failure());
        }
        Connection c;
        try {
            c = b.dataSource().getConnection();
        } catch (SQLException e) {
            throw new StoreUnavailableException("The database is not available: " + e.getMessage(), e);
        }
        try (c) {
            c.setAutoCommit(false);
            int isolation = c.getTransactionIsolation();
            if (readUncommitted) {
                c.setReadOnly(true);
                c.setTransactionIsolation(Connection.TRANSACTION_READ_UNCOMMITTED);
            }
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                rollback(c, e);
                throw e;
            } finally {
                if (readUncommitted) {
                    // A pooled connection goes back as it came.
                    c.setTransactionIsolation(isolation);
                    c.setReadOnly(false);
                }
            }
        } catch (OpenDpmException e) {
            throw e;
        } catch (SQLException e) {
            if (isConnectionFailure(e)) {
                throw new StoreUnavailableException("The database is not available: " + e.getMessage(), e);
            }
            if (isBusy(e)) {
                // The cause names the locks and statements; the message is for whoever asked.
                throw new StoreBusyException("The database gave up on this request for other work at the same "
                        + "moment (a deadlock or a lock time-out, SQLState " + e.getSQLState() + ")", e);
            }
            throw new StoreException("Database operation failed", e);
        }
    }

    private static void rollback(Connection c, Exception cause) {
        try {
            c.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    /**
     * Gave up for other work at the same moment: a deadlock's victim (40001 on Derby, 40P01 on PostgreSQL) or a lock
     * not obtained in time (Derby 40XL1 and 40XL2, PostgreSQL 55P03).
     */
    private static boolean isBusy(SQLException e) {
        return BUSY_STATES.contains(e.getSQLState());
    }

    /** SQLState class 08 is "connection exception" on every database we support. */
    private static boolean isConnectionFailure(SQLException e) {
        return e.getSQLState() != null && e.getSQLState().startsWith("08");
    }

    @Override
    public boolean isAvailable() {
        Bound b = bound;
        return b != null && b.failure() == null;
    }

    @Override
    public String describe() {
        Bound b = bound;
        if (b == null) {
            return "unavailable";
        }
        return b.failure() == null ? b.description() : "unavailable (" + b.failure() + ")";
    }
}
