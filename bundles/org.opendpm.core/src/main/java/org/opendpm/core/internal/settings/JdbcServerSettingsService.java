package org.opendpm.core.internal.settings;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;

import org.opendpm.api.ValidationException;
import org.opendpm.api.settings.ServerSettings;
import org.opendpm.api.settings.ServerSettingsService;
import org.opendpm.store.Database;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** Server settings kept as name/value rows, so adding a setting needs no schema change. */
@Component(service = ServerSettingsService.class)
public class JdbcServerSettingsService implements ServerSettingsService {

    static final Pattern DEPLOY_OS_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

    private final Database database;
    private final ServerSettings defaults;

    @Activate
    public JdbcServerSettingsService(@Reference Database database) {
        this(database, defaultImageFolder());
    }

    JdbcServerSettingsService(Database database, String defaultImageFolder) {
        this.database = database;
        this.defaults = new ServerSettings(true, defaultImageFolder, false,
                ServerSettings.DEFAULT_MACHINES_FOR_SIMULTANEOUS_EXECUTION,
                ServerSettings.DEFAULT_REMOTE_POWER_ON_TIMEOUT_MINUTES,
                ServerSettings.DEFAULT_SCENARIO_TIMEOUT_MINUTES, ServerSettings.DEFAULT_DEPLOY_OS);
    }

    private static String defaultImageFolder() {
        String data = System.getProperty("karaf.data", "data");
        return Path.of(data, "images").toAbsolutePath().normalize().toString();
    }

    @Override
    public ServerSettings get() {
        return database.inTransaction(this::read);
    }

    private ServerSettings read(Connection c) throws SQLException {
        Map<String, String> rows = new HashMap<>();
        try (var rs = c.createStatement().executeQuery("SELECT name, setting_value FROM server_setting")) {
            while (rs.next()) {
                rows.put(rs.getString(1), rs.getString(2));
            }
        }
        return new ServerSettings(
                bool(rows, "useDhcpServer", defaults.useDhcpServer()),
                rows.getOrDefault("imageFolder", defaults.imageFolder()),
                bool(rows, "checkCompletionByAgent", defaults.checkCompletionByAgent()),
                integer(rows, "machinesForSimultaneousExecution", defaults.machinesForSimultaneousExecution()),
                integer(rows, "remotePowerOnTimeoutMinutes", defaults.remotePowerOnTimeoutMinutes()),
                integer(rows, "scenarioTimeoutMinutes", defaults.scenarioTimeoutMinutes()),
                rows.getOrDefault("defaultDeployOs", defaults.defaultDeployOs()));
    }

    private static boolean bool(Map<String, String> rows, String name, boolean fallback) {
        String v = rows.get(name);
        return v == null ? fallback : Boolean.parseBoolean(v);
    }

    private static int integer(Map<String, String> rows, String name, int fallback) {
        String v = rows.get(name);
        return v == null ? fallback : Integer.parseInt(v);
    }

    @Override
    public ServerSettings update(ServerSettings s) {
        validate(s);
        Map<String, String> values = Map.of(
                "useDhcpServer", Boolean.toString(s.useDhcpServer()),
                "imageFolder", Path.of(s.imageFolder()).normalize().toString(),
                "checkCompletionByAgent", Boolean.toString(s.checkCompletionByAgent()),
                "machinesForSimultaneousExecution", Integer.toString(s.machinesForSimultaneousExecution()),
                "remotePowerOnTimeoutMinutes", Integer.toString(s.remotePowerOnTimeoutMinutes()),
                "scenarioTimeoutMinutes", Integer.toString(s.scenarioTimeoutMinutes()),
                "defaultDeployOs", s.defaultDeployOs());
        return database.inTransaction(c -> {
            Timestamp now = Timestamp.from(Instant.now());
            for (var e : values.entrySet()) {
                try (var up = c.prepareStatement(
                        "UPDATE server_setting SET setting_value = ?, updated_at = ? WHERE name = ?")) {
                    up.setString(1, e.getValue());
                    up.setTimestamp(2, now);
                    up.setString(3, e.getKey());
                    if (up.executeUpdate() == 0) {
                        try (var in = c.prepareStatement(
                                "INSERT INTO server_setting (name, setting_value, updated_at) VALUES (?, ?, ?)")) {
                            in.setString(1, e.getKey());
                            in.setString(2, e.getValue());
                            in.setTimestamp(3, now);
                            in.executeUpdate();
                        }
                    }
                }
            }
            return read(c);
        });
    }

    /** Checks every field; the first one at fault is reported by name. */
    static void validate(ServerSettings s) {
        if (s.imageFolder() == null || s.imageFolder().isBlank()) {
            throw new ValidationException("imageFolder", "Folder for Image is required");
        }
        try {
            if (!Path.of(s.imageFolder()).isAbsolute()) {
                throw new ValidationException("imageFolder",
                        "Folder for Image must be an absolute path, not '" + s.imageFolder() + "'");
            }
        } catch (InvalidPathException e) {
            throw new ValidationException("imageFolder", "Folder for Image is not a valid path: " + e.getReason());
        }
        if (s.imageFolder().length() > 1024) {
            throw new ValidationException("imageFolder", "Folder for Image is longer than 1024 characters");
        }
        range("machinesForSimultaneousExecution", "Machines for Simultaneous Execution",
                s.machinesForSimultaneousExecution(), 1, 1000);
        range("remotePowerOnTimeoutMinutes", "Remote Power ON Timeout (minutes)", s.remotePowerOnTimeoutMinutes(),
                1, 60);
        range("scenarioTimeoutMinutes", "Scenario time-out (minutes)", s.scenarioTimeoutMinutes(), 1, 10080);
        if (s.defaultDeployOs() == null || !DEPLOY_OS_ID.matcher(s.defaultDeployOs()).matches()) {
            throw new ValidationException("defaultDeployOs", "Default Deploy-OS must be 1 to 64 letters, digits, "
                    + "'_', '.' or '-' starting with a letter or digit, not '" + s.defaultDeployOs() + "'");
        }
    }

    private static void range(String field, String label, int value, int min, int max) {
        if (value < min || value > max) {
            throw new ValidationException(field, label + " must be between " + min + " and " + max + ", not " + value);
        }
    }
}
