/**
 * The image store's administration (IMG-1, IMG-2): the images in the server's "Folder for Image" with what their
 * headers say, deleting one that no restore is reading, and checking every chunk of one without restoring it, through
 * {@link org.opendpm.api.images.ImageService}.
 */
@Version("1.0.0")
@Export
package org.opendpm.api.images;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
