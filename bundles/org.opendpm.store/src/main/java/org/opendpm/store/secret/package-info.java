/**
 * Server keys kept in owner-only files of the data folder, and values sealed with them before they go into the
 * database (secrets at rest). A key is a file and not a database row so that a copy of the database does not carry
 * the key of its secrets.
 */
@Version("1.0.0")
@Export
package org.opendpm.store.secret;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
