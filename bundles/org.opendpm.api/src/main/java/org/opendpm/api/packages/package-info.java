/**
 * Packages (PKG-1, PKG-2, EXE-11): the registry of service packs, hotfixes, Linux patches and applications with their
 * files ({@link org.opendpm.api.packages.PackageService}), and the package scenarios queued to run when a machine's
 * agent next connects ({@link org.opendpm.api.packages.NextStartupService}).
 */
@Version("1.0.0")
@Export
package org.opendpm.api.packages;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
