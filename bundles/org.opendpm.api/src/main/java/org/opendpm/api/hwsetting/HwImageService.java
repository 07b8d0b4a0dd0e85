package org.opendpm.api.hwsetting;

import java.io.InputStream;
import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The registered HW setting images (HWS-1): kept in the database, their bytes below the image folder's
 * {@code hw-setting/}.
 *
 * <p>Names follow the guide's Image Builder: 1 to {@value #MAX_NAME} characters, letters, digits and {@code . _ -}
 * only, not made of dots alone, unique ignoring case. A floppy image has at most {@value #MAX_FLOPPY_BYTES} bytes
 * (1.44 MB), whole 512-byte sectors and the boot signature {@code 55 AA}; an EFI application at most
 * {@value #MAX_EFI_BYTES} bytes and valid MZ and PE headers for x64 or aa64 with the EFI application subsystem.
 * Errors: {@link org.opendpm.api.ValidationException} naming the field ({@code name}, {@code kind}, {@code content}),
 * with nothing stored; {@link org.opendpm.api.ConflictException} for a name in use;
 * {@link org.opendpm.api.NotFoundException}.
 */
@ProviderType
public interface HwImageService {

    /** Longest name, in characters (the guide's limit). */
    int MAX_NAME = 8;
    /** Largest floppy image, in bytes: a 1.44 MB floppy disk. */
    long MAX_FLOPPY_BYTES = 1_474_560;
    /** Largest EFI application, in bytes. */
    long MAX_EFI_BYTES = 64L << 20;

    List<HwImage> list();

    /** The image of that name (ignoring case); empty for an unknown or malformed name. */
    Optional<HwImage> find(String name);

    /**
     * Stores an image: the bytes are read once, into a temporary file, never past the kind's limit, checked, then
     * put in place under the name. Nothing is stored when anything is refused.
     */
    HwImage create(String name, HwImageKind kind, InputStream content);

    /** Removes the image and its file. */
    void delete(String name);
}
