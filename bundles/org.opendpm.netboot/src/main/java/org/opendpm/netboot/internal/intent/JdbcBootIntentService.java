package org.opendpm.netboot.internal.intent;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

import org.opendpm.api.NotFoundException;
import org.opendpm.api.ValidationException;
import org.opendpm.api.boot.BootIntentService;
import org.opendpm.api.boot.MachineBootIntent;
import org.opendpm.api.boot.NextBoot;
import org.opendpm.api.boot.NextBootKind;
import org.opendpm.store.Database;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Next-boot intents in table {@code boot_intent} (changeSet {@code 5-boot-intents}), one row per machine. A set is an
 * UPDATE, then an INSERT when there was no row; an INSERT that loses a race with another set for the same machine
 * becomes the UPDATE, so concurrent sets end with the last one and never with an error.
 */
@Component(service = BootIntentService.class)
public final class JdbcBootIntentService implements BootIntentService {

    private static final Logger LOG = LoggerFactory.getLogger(JdbcBootIntentService.class);
    private static final int MAX_SET_BY = 255;

    private final Database database;
    private final Clock clock;

    @Activate
    public JdbcBootIntentService(@Reference Database database) {
        this(database, Clock.systemUTC());
    }

    public JdbcBootIntentService(Database database, Clock clock) {
        this.database = database;
        this.clock = clock;
    }

    @Override
    public Optional<MachineBootIntent> get(long machineId) {
        return database.inTransaction(c -> {
            requireMachine(c, machineId);
            return read(c, machineId);
        });
    }

    @Override
    public MachineBootIntent set(long machineId, NextBoot intent, String setBy) {
        validate(intent, setBy);
        // Milliseconds: what every supported database keeps, so setAt read back equals setAt handed out.
        Instant at = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        MachineBootIntent stored = new MachineBootIntent(machineId, intent, setBy.strip(), at);
        database.inTransaction(c -> {
            requireMachine(c, machineId);
            if (update(c, stored) == 0) {
                // The savepoint keeps the transaction usable after a lost race on PostgreSQL, which aborts a
                // transaction on any failed statement.
                Savepoint beforeInsert = c.setSavepoint();
                try {
                    insert(c, stored);
                } catch (SQLException e) {
                    if (!"23505".equals(e.getSQLState())) {
                        throw e;
                    }
                    c.rollback(beforeInsert);
                    update(c, stored);
                }
            }
            return null;
        });
        LOG.info("Next boot of machine {} set by {}: {}{}", machineId, stored.setBy(), intent.kind(),
                intent.oneShot() ? " (one-shot)" : "");
        return stored;
    }

    @Override
    public boolean clear(long machineId) {
        boolean removed = database.inTransaction(c -> {
            requireMachine(c, machineId);
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM boot_intent WHERE machine_id = ?")) {
                ps.setLong(1, machineId);
                return ps.executeUpdate() > 0;
            }
        });
        if (removed) {
            LOG.info("Next boot of machine {} cleared: it boots its local disk", machineId);
        }
        return removed;
    }

    @Override
    public boolean clearIfSetAt(long machineId, Instant setAt) {
        boolean removed = database.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "DELETE FROM boot_intent WHERE machine_id = ? AND set_at = ?")) {
                ps.setLong(1, machineId);
                ps.setTimestamp(2, Timestamp.from(setAt));
                return ps.executeUpdate() > 0;
            }
        });
        if (removed) {
            LOG.info("Next boot of machine {} (set at {}) cleared", machineId, setAt);
        }
        return removed;
    }

    /** Checks an intent as {@link BootIntentService#set} documents; the exception names the field at fault. */
    static void validate(NextBoot intent, String setBy) {
        if (intent == null) {
            throw new ValidationException("kind", "An intent is required");
        }
        if (setBy == null || setBy.isBlank() || setBy.length() > MAX_SET_BY || hasControl(setBy)) {
            throw new ValidationException("setBy", "setBy must be 1 to " + MAX_SET_BY
                    + " printable characters naming who sets the intent");
        }
        if (intent.deployOs().isPresent()) {
            if (intent.kind() != NextBootKind.DEPLOY_OS) {
                throw new ValidationException("deployOs", "deployOs applies to DEPLOY_OS only, not " + intent.kind());
            }
            String id = intent.deployOs().get();
            if (id.isBlank() || id.length() > MAX_PATH || !id.matches("[A-Za-z0-9._-]+")) {
                throw new ValidationException("deployOs", "A Deploy-OS id is 1 to " + MAX_PATH
                        + " letters, digits, '.', '_' or '-', not '" + printable(id) + "'");
            }
        }
        NextBootKind kind = intent.kind();
        boolean chained = kind == NextBootKind.OS_INSTALLER || kind == NextBootKind.MEMDISK_FLOPPY
                || kind == NextBootKind.EFI_APPLICATION;
        if (!chained) {
            notFor(intent, "kernel", intent.kernel());
            notFor(intent, "initrd", intent.initrd());
            notFor(intent, "bootArguments", intent.bootArguments());
            return;
        }
        if (intent.kernel().isBlank()) {
            throw new ValidationException("kernel", kind + " needs the path below the TFTP root of "
                    + (kind == NextBootKind.OS_INSTALLER
                            ? "the kernel"
                            : kind == NextBootKind.MEMDISK_FLOPPY
                                    ? "memdisk"
                                    : "the EFI application"));
        }
        bootPath("kernel", intent.kernel());
        if (kind == NextBootKind.MEMDISK_FLOPPY && intent.initrd().isBlank()) {
            throw new ValidationException("initrd", "MEMDISK_FLOPPY needs the floppy image's path below the TFTP root");
        }
        if (kind == NextBootKind.EFI_APPLICATION) {
            notFor(intent, "initrd", intent.initrd());
        } else if (!intent.initrd().isEmpty()) {
            bootPath("initrd", intent.initrd());
        }
        if (kind == NextBootKind.MEMDISK_FLOPPY) {
            notFor(intent, "bootArguments", intent.bootArguments());
        }
        // A line break would end the kernel line of the generated pxelinux or GRUB file and start a line of our
        // caller's choosing there.
        if (intent.bootArguments().length() > MAX_ARGUMENTS || hasControl(intent.bootArguments())) {
            throw new ValidationException("bootArguments", "Boot arguments are one line of at most " + MAX_ARGUMENTS
                    + " printable characters");
        }
    }

    private static void notFor(NextBoot intent, String field, String value) {
        if (!value.isEmpty()) {
            throw new ValidationException(field, field + " does not apply to " + intent.kind());
        }
    }

    /** An installer's kernel or initrd on a web server: iPXE fetches it directly (other protocols decline it). */
    private static void bootUrl(String field, String url) {
        boolean bad = url.length() > MAX_PATH || hasControl(url) || url.contains(" ") || url.contains("\"")
                || url.contains("'") || url.contains("$");
        if (!bad) {
            try {
                java.net.URI u = new java.net.URI(url);
                bad = u.getHost() == null || u.getHost().isEmpty();
            } catch (java.net.URISyntaxException e) {
                bad = true;
            }
        }
        if (bad) {
            throw new ValidationException(field, field + " must be a relative path below the TFTP root or an http(s)"
                    + " URL with a host, without spaces, quotes or '$', at most " + MAX_PATH + " characters, not '"
                    + printable(url) + "'");
        }
    }

    /** A relative path below the TFTP root, the form the boot plugins write into their configuration files. */
    private static void bootPath(String field, String path) {
        if (path.regionMatches(true, 0, "http://", 0, 7) || path.regionMatches(true, 0, "https://", 0, 8)) {
            bootUrl(field, path);
            return;
        }
        // ':' would make another URL scheme (ftp:, tftp:) of a path; http(s) URLs are checked above.
        boolean bad = path.length() > MAX_PATH || hasControl(path) || path.startsWith("/") || path.contains("\\")
                || path.contains(" ") || path.contains(":") || path.isBlank();
        for (String segment : path.split("/", -1)) {
            bad |= segment.equals("..");
        }
        if (bad) {
            throw new ValidationException(field, field + " must be a relative path below the TFTP root without"
                    + " '..', ':', spaces or backslashes (or an http(s) URL), at most " + MAX_PATH
                    + " characters, not '" + printable(path)
                    + "'");
        }
    }

    private static boolean hasControl(String s) {
        return s.chars().anyMatch(ch -> ch < 0x20 || ch == 0x7f);
    }

    private static String printable(String s) {
        String p = s.codePoints().map(ch -> ch < 0x20 || ch == 0x7f ? '?' : ch)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        return p.length() > 80 ? p.substring(0, 80) + "..." : p;
    }

    private static void requireMachine(Connection c, long machineId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM machine WHERE id = ?")) {
            ps.setLong(1, machineId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new NotFoundException("Machine " + machineId + " does not exist");
                }
            }
        }
    }

    private static Optional<MachineBootIntent> read(Connection c, long machineId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT kind, deploy_os, kernel, initrd, boot_arguments,"
                + " one_shot, set_by, set_at FROM boot_intent WHERE machine_id = ?")) {
            ps.setLong(1, machineId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                NextBoot intent = new NextBoot(NextBootKind.valueOf(rs.getString(1)),
                        Optional.ofNullable(rs.getString(2)), rs.getString(3), rs.getString(4), rs.getString(5),
                        rs.getBoolean(6));
                return Optional.of(new MachineBootIntent(machineId, intent, rs.getString(7),
                        rs.getTimestamp(8).toInstant()));
            }
        }
    }

    private static int update(Connection c, MachineBootIntent m) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE boot_intent SET kind = ?, deploy_os = ?, kernel = ?,"
                + " initrd = ?, boot_arguments = ?, one_shot = ?, set_by = ?, set_at = ? WHERE machine_id = ?")) {
            bind(ps, m);
            ps.setLong(9, m.machineId());
            return ps.executeUpdate();
        }
    }

    private static void insert(Connection c, MachineBootIntent m) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO boot_intent (kind, deploy_os, kernel, initrd,"
                + " boot_arguments, one_shot, set_by, set_at, machine_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            bind(ps, m);
            ps.setLong(9, m.machineId());
            ps.executeUpdate();
        }
    }

    private static void bind(PreparedStatement ps, MachineBootIntent m) throws SQLException {
        NextBoot i = m.intent();
        ps.setString(1, i.kind().name());
        if (i.deployOs().isPresent()) {
            ps.setString(2, i.deployOs().get());
        } else {
            ps.setNull(2, Types.VARCHAR);
        }
        ps.setString(3, i.kernel());
        ps.setString(4, i.initrd());
        ps.setString(5, i.bootArguments());
        ps.setBoolean(6, i.oneShot());
        ps.setString(7, m.setBy());
        ps.setTimestamp(8, Timestamp.from(m.setAt()));
    }
}
