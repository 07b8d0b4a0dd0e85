/**
 * File distribution (FIL-1, FIL-2): sending a file of the server's file folder to a folder on a machine, deleting
 * and listing files there, and the File Operation Result List, through
 * {@link org.opendpm.api.files.FileOperationService}.
 */
@Version("1.0.0")
@Export
package org.opendpm.api.files;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
