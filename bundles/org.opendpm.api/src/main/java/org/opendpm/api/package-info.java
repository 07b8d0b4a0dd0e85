/** Errors shared by every OpenDPM service; the REST layer maps each to its HTTP status. */
@Version("1.1.0")
@Export
package org.opendpm.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
