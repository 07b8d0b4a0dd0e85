/**
 * Packages (PKG-1, PKG-2, PKG-3, EXE-11): the registry of service packs, hotfixes, Linux patches and applications
 * with their files ({@link org.opendpm.api.packages.PackageService}), the package scenarios queued to run when a
 * machine's agent next connects ({@link org.opendpm.api.packages.NextStartupService}), and the Package Web Servers
 * packages are downloaded from ({@link org.opendpm.api.packages.PackageWebServers}).
 */
@Version("1.1.0")
@Export
package org.opendpm.api.packages;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
