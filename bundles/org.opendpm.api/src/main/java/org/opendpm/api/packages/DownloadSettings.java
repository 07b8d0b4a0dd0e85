package org.opendpm.api.packages;

import java.time.LocalTime;
import java.util.Objects;

/**
 * The package download settings (PKG-3), locked while a download runs.
 *
 * @param automatic whether packages are downloaded every day at {@code time}
 * @param time the daily time, in the server's time zone, whole minutes
 */
public record DownloadSettings(boolean automatic, LocalTime time) {

    public DownloadSettings {
        Objects.requireNonNull(time, "time");
    }
}
