package org.opendpm.rest.internal.dto;

import java.util.List;

import org.opendpm.api.packages.PackageFile;
import org.opendpm.api.packages.PackageSpec;
import org.opendpm.api.packages.RegisteredPackage;

/** A registered package and its files (PKG-1). */
public record PackageDto(long id, String name, String kind, String version, String msNumber, String displayName,
        String packageId, String urgency, String installer, String command, List<Integer> successCodes,
        List<Integer> rebootCodes, int timeoutMinutes, String description, List<PackageFileDto> files,
        String updatedAt) {

    /** One file: name, size in bytes, SHA-256. */
    public record PackageFileDto(String name, long size, String sha256) {
        public static PackageFileDto of(PackageFile f) {
            return new PackageFileDto(f.name(), f.size(), f.sha256());
        }
    }

    public static PackageDto of(RegisteredPackage p) {
        PackageSpec s = p.spec();
        return new PackageDto(p.id(), s.name(), s.kind().name(), s.version().orElse(null), s.msNumber().orElse(null),
                s.displayName().orElse(null), s.packageId().orElse(null), s.urgency().name(), s.installer().name(),
                s.command().orElse(null), s.successCodes(), s.rebootCodes(), s.timeoutMinutes(),
                s.description().orElse(null), p.files().stream().map(PackageFileDto::of).toList(),
                p.updatedAt().toString());
    }
}
