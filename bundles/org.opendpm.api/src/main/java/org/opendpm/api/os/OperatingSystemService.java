package org.opendpm.api.os;

import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The registered operating systems (OSI-1), kept in the database.
 *
 * <p>Names follow the guide: 1 to {@value #MAX_NAME} characters, letters, digits and {@code ( ) - .} only (the Linux
 * rule, which also keeps out {@code " ; \}), not one of the reserved names {@code Linux}, {@code Linux(gPXE)},
 * {@code ks}, {@code daemon} or {@code pxelinux.*} (any case), unique ignoring case. Kernel, initrd and source are
 * relative paths without {@code ..}. Errors: {@link org.opendpm.api.ValidationException} naming the field (nothing is
 * stored), {@link org.opendpm.api.NotFoundException}, {@link org.opendpm.api.ConflictException} for a name in use.
 */
@ProviderType
public interface OperatingSystemService {

    /** Longest name, in characters (the guide's limit). */
    int MAX_NAME = 126;

    /** Longest kernel, initrd or source path, in characters. */
    int MAX_PATH = 1024;

    List<OperatingSystem> list();

    OperatingSystem get(long id);

    Optional<OperatingSystem> find(String name);

    OperatingSystem create(OperatingSystemSpec spec);

    OperatingSystem update(long id, OperatingSystemSpec spec);

    void delete(long id);

    /**
     * A root password as installers take it: SHA-512 crypt ({@code $6$<16 random salt characters>$...}). The clear
     * text is not kept; the caller should clear its array.
     */
    String hashPassword(char[] password);
}
