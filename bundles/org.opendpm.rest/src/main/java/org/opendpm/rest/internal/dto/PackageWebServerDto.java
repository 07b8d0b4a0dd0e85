package org.opendpm.rest.internal.dto;

import org.opendpm.api.packages.DownloadReport;
import org.opendpm.api.packages.PackageWebServer;

/** A Package Web Server (PKG-3) with its Latest Download Information, null before its first download. */
public record PackageWebServerDto(String id, String url, boolean enabled, String addedAt, DownloadReportDto latest) {

    public static PackageWebServerDto of(PackageWebServer s, DownloadReport latest) {
        return new PackageWebServerDto(s.id(), s.url().toString(), s.enabled(), s.addedAt().toString(),
                latest == null ? null : DownloadReportDto.of(latest));
    }
}
