package org.opendpm.api.packages;

import java.time.Instant;
import java.util.List;

/**
 * Latest Download Information (PKG-3) of one Package Web Server, or of the whole download.
 *
 * @param scope the server's ID, or {@link PackageWebServers#OVERALL}
 * @param success whether every step succeeded; a refused download registers nothing
 * @param startedAt when it started
 * @param finishedAt when it ended
 * @param message what happened, naming the cause of a failure
 * @param added names of the packages registered
 * @param updated names of the packages changed
 * @param deleted names of the packages deleted because their server no longer lists them
 */
public record DownloadReport(String scope, boolean success, Instant startedAt, Instant finishedAt, String message,
        List<String> added, List<String> updated, List<String> deleted) {

    public DownloadReport {
        added = List.copyOf(added);
        updated = List.copyOf(updated);
        deleted = List.copyOf(deleted);
    }
}
