/** Helpers to unit-test an OpenDPM plugin without a container. */
@Version("1.4.0")
@Export
package org.opendpm.spi.testkit;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
