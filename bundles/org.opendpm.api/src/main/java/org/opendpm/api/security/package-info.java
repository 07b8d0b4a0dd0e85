/** Users and their roles. */
@Version("1.2.0")
@Export
package org.opendpm.api.security;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
