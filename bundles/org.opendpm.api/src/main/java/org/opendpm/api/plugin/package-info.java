/** The plugins the core has found, and what they resolve to. */
@Version("2.0.0")
@Export
package org.opendpm.api.plugin;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
