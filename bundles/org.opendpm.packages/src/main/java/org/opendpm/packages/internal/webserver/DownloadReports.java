package org.opendpm.packages.internal.webserver;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import org.opendpm.api.packages.DownloadReport;
import org.opendpm.store.Database;

/**
 * The Latest Download Information (PKG-3) in {@code package_download_report}: one row per server and one for the
 * whole download, replaced by each download; package names one a line, cut to the column's size.
 */
final class DownloadReports {

    private static final int MAX_LIST_TEXT = 4000;

    private final Database database;

    DownloadReports(Database database) {
        this.database = database;
    }

    void save(DownloadReport r) {
        database.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM package_download_report WHERE scope = ?")) {
                ps.setString(1, r.scope());
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO package_download_report (scope, started_at,"
                    + " finished_at, success, message, added, updated, deleted) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, r.scope());
                ps.setTimestamp(2, Timestamp.from(r.startedAt()));
                ps.setTimestamp(3, Timestamp.from(r.finishedAt()));
                ps.setBoolean(4, r.success());
                ps.setString(5, r.message());
                ps.setString(6, lines(r.added()));
                ps.setString(7, lines(r.updated()));
                ps.setString(8, lines(r.deleted()));
                ps.executeUpdate();
            }
            return null;
        });
    }

    Optional<DownloadReport> latest(String stored) {
        return database.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT started_at, finished_at, success, message, added,"
                    + " updated, deleted FROM package_download_report WHERE scope = ?")) {
                ps.setString(1, stored);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    return Optional.of(new DownloadReport(stored, rs.getBoolean(3), rs.getTimestamp(1).toInstant(),
                            rs.getTimestamp(2).toInstant(), rs.getString(4), unlines(rs.getString(5)),
                            unlines(rs.getString(6)), unlines(rs.getString(7))));
                }
            }
        });
    }

    /** Names one a line, cut to the column's size with a last line saying how many were left out. */
    static String lines(List<String> names) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < names.size(); i++) {
            String more = "(" + (names.size() - i) + " more)";
            if (b.length() + names.get(i).length() + 1 + (i + 1 < names.size() ? 16 : 0) > MAX_LIST_TEXT) {
                return b.append(more).toString();
            }
            b.append(names.get(i)).append(i + 1 < names.size() ? "\n" : "");
        }
        return b.toString();
    }

    private static List<String> unlines(String text) {
        return text.isEmpty() ? List.of() : Arrays.asList(text.split("\n"));
    }
}
