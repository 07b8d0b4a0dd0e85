package org.opendpm.api.packages;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The package registry (PKG-1), kept in the database, with each package's files in the package area of the Folder
 * for Image ({@code <Folder for Image>/.packages/<id>/}, out of reach of the image store's names).
 *
 * <p>Errors: {@link org.opendpm.api.ValidationException} naming the field (nothing is stored),
 * {@link org.opendpm.api.NotFoundException}, {@link org.opendpm.api.ConflictException} for a name or file name in
 * use.
 */
@ProviderType
public interface PackageService {

    /** Longest package name, in characters. */
    int MAX_NAME = 126;

    /** Most files of one package. */
    int MAX_FILES = 64;

    List<RegisteredPackage> list();

    RegisteredPackage get(long id);

    Optional<RegisteredPackage> find(String name);

    RegisteredPackage create(PackageSpec spec);

    RegisteredPackage update(long id, PackageSpec spec);

    /** Removes the package, then its files. */
    void delete(long id);

    /**
     * Adds a file to the package: the content is streamed to a temporary file in the package's folder, counted
     * against the size bound and hashed, checked against {@code expectedSha256} when given, and only then renamed
     * into place and recorded. A refused upload leaves nothing behind. A file of that name must be deleted first.
     */
    PackageFile addFile(long id, String name, InputStream content, Optional<String> expectedSha256);

    /** Removes one file of the package. */
    void deleteFile(long id, String name);

    /**
     * The package's files on the server, in order, each hashed again and compared with what the registry recorded;
     * a missing or changed file is an error naming it.
     */
    List<Path> verifiedFiles(long id);
}
