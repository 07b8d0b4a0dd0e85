package org.opendpm.rest.internal.dto;

import java.util.List;

import org.opendpm.api.packages.DownloadReport;

/** Latest Download Information (PKG-3): of one server, or of the whole download (scope {@code *}). */
public record DownloadReportDto(String scope, boolean success, String startedAt, String finishedAt, String message,
        List<String> added, List<String> updated, List<String> deleted) {

    public static DownloadReportDto of(DownloadReport r) {
        return new DownloadReportDto(r.scope(), r.success(), r.startedAt().toString(), r.finishedAt().toString(),
                r.message(), r.added(), r.updated(), r.deleted());
    }
}
