/** Power control of managed machines (SCH-2, SCH-4) through {@link org.opendpm.api.power.PowerService}. */
@Version("1.0.0")
@Export
package org.opendpm.api.power;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
