/**
 * OS clear installation (OSI-1 to OSI-4): operating systems registered with their installer kernel, initrd and
 * installation source ({@link org.opendpm.api.os.OperatingSystemService}), the per-machine answer files made from
 * templates an administrator can edit ({@link org.opendpm.api.os.AnswerFileService}), and the installer's "built"
 * call that ends an installation ({@link org.opendpm.api.os.OsInstallations}).
 */
@Version("1.0.0")
@Export
package org.opendpm.api.os;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
