package org.opendpm.rest.internal.dto;

import org.opendpm.api.ValidationException;
import org.opendpm.api.packages.DownloadSettings;

/**
 * The package download settings (PKG-3): {@code automatic} and the daily {@code time} as {@code HH:MM} in the
 * server's time zone; read with whether a download runs now and the overall Latest Download Information.
 */
public record DownloadSettingsDto(Boolean automatic, String time, Boolean downloading, DownloadReportDto latest) {

    public static DownloadSettingsDto of(DownloadSettings s, boolean downloading, DownloadReportDto latest) {
        return new DownloadSettingsDto(s.automatic(), s.time().toString(), downloading, latest);
    }

    public DownloadSettings toSettings() {
        if (automatic == null) {
            throw new ValidationException("automatic", "automatic is required (true or false)");
        }
        return new DownloadSettings(automatic, DownloadSettings.time(time));
    }
}
