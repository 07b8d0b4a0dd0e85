/**
 * The OpenDPM disk image format of docs/image-format.md, written once: the header ({@link
 * org.opendpm.image.ImageHeader}), zstd-compressed chunks checked by SHA-256 and CRC-32C, all-zero chunks stored as
 * holes, the index of {@link org.opendpm.image.ChunkEntry chunk entries} and the trailer. {@link
 * org.opendpm.image.ImageWriter} streams a source into an image, {@link org.opendpm.image.ImageReader} opens one
 * strictly, reads any chunk and restores, {@link org.opendpm.image.Verifier} checks every chunk. Every malformed image
 * ends in an {@link org.opendpm.image.ImageFormatException} naming what is wrong and where.
 */
@Version("1.3.0")
@Export
package org.opendpm.image;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
