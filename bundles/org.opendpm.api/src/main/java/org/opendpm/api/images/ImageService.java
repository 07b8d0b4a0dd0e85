package org.opendpm.api.images;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The images of the server's "Folder for Image" (IMG-1, IMG-2). An image is named by one plain file name, never a
 * path; the store's temporary files (an image being written) and folders are not images and are never listed.
 *
 * <p>
 * Errors: a bad name {@link org.opendpm.api.ValidationException} (field {@code name}); no image of that name
 * {@link org.opendpm.api.NotFoundException}; deleting an image a running restore or verification reads, or describing
 * a file that is not a readable complete image, {@link org.opendpm.api.ConflictException} saying why.
 */
@ProviderType
public interface ImageService {

    /** Longest accepted image name, in characters. */
    int MAX_NAME = 255;

    /** Every image file of the folder by name, each with its header's summary or why it cannot be read. */
    List<ImageEntry> list();

    /** Every field of an image's header, and its chunk, hole and stored-byte counts from its index. */
    ImageDescription describe(String name);

    /** Removes an image; refused while this server reads it (a restore, a verification). */
    void delete(String name);

    /**
     * Checks every chunk of an image without restoring it (IMG-2): CRC-32C of the stored bytes, decompression and
     * SHA-256. An image whose header, index or trailer is damaged is reported as unreadable, not thrown.
     */
    VerificationReport verify(String name);
}
