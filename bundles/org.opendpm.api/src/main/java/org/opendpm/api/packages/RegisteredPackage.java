package org.opendpm.api.packages;

import java.time.Instant;
import java.util.List;

/**
 * A registered package and its files, in the order the installer takes them.
 */
public record RegisteredPackage(long id, PackageSpec spec, List<PackageFile> files, Instant updatedAt) {

    public RegisteredPackage {
        files = List.copyOf(files);
    }

    public String name() {
        return spec.name();
    }
}
