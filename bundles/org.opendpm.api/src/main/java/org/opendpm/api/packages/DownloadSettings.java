package org.opendpm.api.packages;

import java.time.LocalTime;
import java.time.format.DateTimeParseException;
import java.util.Objects;

import org.opendpm.api.ValidationException;

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

    /** A daily time as written in the REST API and the shell, {@code HH:MM}. */
    public static LocalTime time(String text) {
        try {
            if (text != null && text.matches("\\d{2}:\\d{2}")) {
                return LocalTime.parse(text);
            }
        } catch (DateTimeParseException e) {
            // refused below with the expected form
        }
        throw new ValidationException("time", "a daily time is HH:MM, 00:00 to 23:59");
    }
}
