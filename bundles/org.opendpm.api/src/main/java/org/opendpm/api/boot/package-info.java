/**
 * Network boot as the rest of the server sees it: each machine's next-boot intent (NET-1), which the scheduler and
 * the operator set, and the boot servers' counters.
 */
@Version("1.4.0")
@Export
package org.opendpm.api.boot;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
