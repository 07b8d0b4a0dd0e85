/**
 * Power control of managed machines (SCH-2, SCH-4) through {@link org.opendpm.api.power.PowerService}, and each
 * machine's power driver and driver info through {@link org.opendpm.api.power.PowerSettingsService}.
 */
@Version("1.1.0")
@Export
package org.opendpm.api.power;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
