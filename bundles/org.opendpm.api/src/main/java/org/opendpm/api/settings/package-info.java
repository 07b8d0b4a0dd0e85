/** Server settings (the Detail Setting of the management server). */
@Version("1.0.0")
@Export
package org.opendpm.api.settings;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
