package org.opendpm.store;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Whiteboard service told each time the database becomes ready (a DataSource bound and its schema migrated), so a
 * component can seed data it needs without polling.
 */
@ConsumerType
public interface DatabaseReadyListener {

    /** Called once per readiness, on the thread that migrated; keep it short. */
    void databaseReady(Database database);
}
