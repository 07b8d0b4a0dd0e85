/**
 * The OpenDPM database: transactions over the pax-jdbc DataSource named {@code opendpm}, with the schema migrated at
 * start.
 */
@Version("1.1.0")
@Export
package org.opendpm.store;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
