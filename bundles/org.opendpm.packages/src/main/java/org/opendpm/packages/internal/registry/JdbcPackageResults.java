package org.opendpm.packages.internal.registry;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.opendpm.api.packages.PackageOutcome;
import org.opendpm.api.packages.PackageResult;
import org.opendpm.api.packages.PackageResults;
import org.opendpm.store.Database;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** Per-package results in {@code package_result} (changeSet {@code 13-package-results}). */
@Component(service = PackageResults.class)
public class JdbcPackageResults implements PackageResults {

    private static final int MAX_OUTPUT = 4096;
    private final Database database;

    @Activate
    public JdbcPackageResults(@Reference Database database) {
        this.database = database;
    }

    @Override
    public void record(PackageResult r) {
        String output = r.output().length() > MAX_OUTPUT
                ? r.output().substring(r.output().length() - MAX_OUTPUT)
                : r.output();
        database.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM package_result WHERE execution_id = ?"
                    + " AND package_id = ?")) {
                ps.setLong(1, r.executionId());
                ps.setLong(2, r.packageId());
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO package_result (execution_id, package_id,"
                    + " machine_id, package_name, exit_code, outcome, output_tail, elapsed_ms, finished_at)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                ps.setLong(1, r.executionId());
                ps.setLong(2, r.packageId());
                ps.setLong(3, r.machineId());
                ps.setString(4, r.packageName());
                ps.setInt(5, r.exitCode());
                ps.setString(6, r.outcome().name());
                ps.setString(7, output);
                ps.setLong(8, r.elapsed().toMillis());
                ps.setTimestamp(9, Timestamp.from(r.finishedAt()));
                ps.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public List<PackageResult> of(long executionId) {
        return database.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT machine_id, package_id, package_name, exit_code,"
                    + " outcome, output_tail, elapsed_ms, finished_at FROM package_result WHERE execution_id = ?"
                    + " ORDER BY finished_at, package_id")) {
                ps.setLong(1, executionId);
                List<PackageResult> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new PackageResult(executionId, rs.getLong(1), rs.getLong(2), rs.getString(3),
                                rs.getInt(4), PackageOutcome.valueOf(rs.getString(5)), rs.getString(6),
                                Duration.ofMillis(rs.getLong(7)), rs.getTimestamp(8).toInstant()));
                    }
                }
                return out;
            }
        });
    }
}
