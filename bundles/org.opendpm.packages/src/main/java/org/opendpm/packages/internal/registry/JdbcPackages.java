package org.opendpm.packages.internal.registry;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import org.opendpm.api.ConflictException;
import org.opendpm.api.NotFoundException;
import org.opendpm.api.ValidationException;
import org.opendpm.api.packages.InstallerKind;
import org.opendpm.api.packages.PackageFile;
import org.opendpm.api.packages.PackageKind;
import org.opendpm.api.packages.PackageService;
import org.opendpm.api.packages.PackageSpec;
import org.opendpm.api.packages.RegisteredPackage;
import org.opendpm.api.packages.Urgency;
import org.opendpm.api.settings.ServerSettingsService;
import org.opendpm.store.Database;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The package registry (PKG-1) in {@code software_package} and {@code software_package_file} (changeSet
 * {@code 13-packages}), the files in the package area of the Folder for Image. Every change first updates the one row
 * of {@code package_state}, so names, file names and the file count are checked under that row lock. Uploads are
 * streamed and hashed outside any transaction; the row of a file is written in the transaction that renames it into
 * place.
 */
@Component(service = PackageService.class, configurationPid = "org.opendpm.packages")
@Designate(ocd = JdbcPackages.Config.class)
public class JdbcPackages implements PackageService {

    @ObjectClassDefinition(name = "OpenDPM packages", description = "The package registry (PKG-1)")
    public @interface Config {
        @AttributeDefinition(description = "Largest package file accepted by an upload, in MiB")
        long maxFileMiB() default 8192;
    }

    private static final Logger LOG = LoggerFactory.getLogger(JdbcPackages.class);
    private static final String COLUMNS = "id, name, kind, sp_version, ms_number, display_name, package_ident,"
            + " urgency, installer, command, success_codes, reboot_codes, timeout_minutes, description, updated_at";

    private final Database database;
    private final PackageArea area;
    private final Clock clock;
    private volatile long maxFileBytes;

    @Activate
    public JdbcPackages(@Reference Database database, @Reference ServerSettingsService settings, Config config) {
        this(database, () -> Path.of(settings.get().imageFolder()), Clock.systemUTC(), config.maxFileMiB() << 20);
    }

    public JdbcPackages(Database database, Supplier<Path> imageFolder, Clock clock, long maxFileBytes) {
        this.database = database;
        this.area = new PackageArea(imageFolder);
        this.clock = clock;
        this.maxFileBytes = maxFileBytes;
    }

    @Modified
    void modified(Config config) {
        this.maxFileBytes = config.maxFileMiB() << 20;
    }

    @Override
    public List<RegisteredPackage> list() {
        return database.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS
                    + " FROM software_package ORDER BY name_key")) {
                return read(c, ps);
            }
        });
    }

    @Override
    public RegisteredPackage get(long id) {
        return database.inTransaction(c -> byId(c, id)).orElseThrow(() -> notFound(id));
    }

    @Override
    public Optional<RegisteredPackage> find(String name) {
        if (name == null || name.length() > MAX_NAME) {
            return Optional.empty();
        }
        return database.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS
                    + " FROM software_package WHERE name_key = ?")) {
                ps.setString(1, name.toLowerCase(Locale.ROOT));
                return read(c, ps).stream().findFirst();
            }
        });
    }

    @Override
    public RegisteredPackage create(PackageSpec spec) {
        PackageChecks.check(spec);
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        RegisteredPackage created = database.inTransaction(c -> {
            long id = lockAndNextId(c);
            refuseTaken(c, spec.name(), -1);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO software_package (name, name_key, kind,"
                    + " sp_version, ms_number, display_name, package_ident, urgency, installer, command,"
                    + " success_codes, reboot_codes, timeout_minutes, description, updated_at, id)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                bind(ps, spec, now);
                ps.setLong(16, id);
                ps.executeUpdate();
            }
            return new RegisteredPackage(id, spec, List.of(), now);
        });
        LOG.info("Package {} registered ({}, {}, id {})", created.name(), spec.kind(), spec.urgency(), created.id());
        return created;
    }

    @Override
    public RegisteredPackage update(long id, PackageSpec spec) {
        PackageChecks.check(spec);
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        RegisteredPackage updated = database.inTransaction(c -> {
            lockAndNextId(c);
            RegisteredPackage old = byId(c, id).orElseThrow(() -> notFound(id));
            refuseTaken(c, spec.name(), id);
            try (PreparedStatement ps = c.prepareStatement("UPDATE software_package SET name = ?, name_key = ?,"
                    + " kind = ?, sp_version = ?, ms_number = ?, display_name = ?, package_ident = ?, urgency = ?,"
                    + " installer = ?, command = ?, success_codes = ?, reboot_codes = ?, timeout_minutes = ?,"
                    + " description = ?, updated_at = ? WHERE id = ?")) {
                bind(ps, spec, now);
                ps.setLong(16, id);
                ps.executeUpdate();
            }
            return new RegisteredPackage(id, spec, old.files(), now);
        });
        LOG.info("Package {} changed (id {})", updated.name(), id);
        return updated;
    }

    @Override
    public void delete(long id) {
        database.inTransaction(c -> {
            lockAndNextId(c);
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM software_package WHERE id = ?")) {
                ps.setLong(1, id);
                if (ps.executeUpdate() == 0) {
                    throw notFound(id);
                }
            }
            return null;
        });
        area.deleteFolder(id);
        LOG.info("Package {} deleted with its files", id);
    }

    @Override
    public PackageFile addFile(long id, String name, InputStream content, Optional<String> expectedSha256) {
        PackageChecks.fileName(name);
        Optional<String> expected = expectedSha256.map(s -> s.toLowerCase(Locale.ROOT));
        if (expected.isPresent() && !PackageChecks.SHA256.matcher(expected.get()).matches()) {
            throw new ValidationException("sha256", "a SHA-256 is 64 hex digits");
        }
        if (content == null) {
            throw new ValidationException("content", "the file's content is required");
        }
        get(id); // refused before a byte is stored when the package is gone
        PackageArea.Upload upload = area.receive(id, content, maxFileBytes);
        try {
            if (expected.isPresent() && !expected.get().equals(upload.sha256())) {
                throw new ValidationException("sha256", "the file's SHA-256 is " + upload.sha256() + ", not the "
                        + expected.get() + " given: it was damaged on the way");
            }
            Path target = area.file(id, name);
            PackageFile file = new PackageFile(name, upload.size(), upload.sha256());
            database.inTransaction(c -> {
                lockAndNextId(c);
                byId(c, id).orElseThrow(() -> notFound(id));
                List<PackageFile> files = files(c, id);
                if (files.stream().anyMatch(f -> f.name().equals(name))) {
                    throw new ConflictException("Package " + id + " already has a file " + name + "; delete it first");
                }
                if (files.size() >= MAX_FILES) {
                    throw new ValidationException("files", "a package has at most " + MAX_FILES + " files");
                }
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO software_package_file (package_id, name,"
                        + " file_order, size_bytes, sha256) VALUES (?, ?, ?, ?, ?)")) {
                    ps.setLong(1, id);
                    ps.setString(2, name);
                    ps.setInt(3, nextOrder(c, id));
                    ps.setLong(4, upload.size());
                    ps.setString(5, upload.sha256());
                    ps.executeUpdate();
                }
                try {
                    // Last in the transaction: a failed rename rolls the row back.
                    area.commit(upload, target);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot put " + name + " in place: " + e.getMessage(), e);
                }
                return null;
            });
            LOG.info("Package {}: file {} added ({} bytes, SHA-256 {})", id, name, upload.size(), upload.sha256());
            return file;
        } finally {
            PackageArea.deleteQuietly(upload.temp());
        }
    }

    @Override
    public void deleteFile(long id, String name) {
        PackageChecks.fileName(name);
        database.inTransaction(c -> {
            lockAndNextId(c);
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM software_package_file WHERE package_id = ?"
                    + " AND name = ?")) {
                ps.setLong(1, id);
                ps.setString(2, name);
                if (ps.executeUpdate() == 0) {
                    throw new NotFoundException("Package " + id + " has no file " + name);
                }
            }
            return null;
        });
        PackageArea.deleteQuietly(area.file(id, name));
    }

    @Override
    public List<Path> verifiedFiles(long id) {
        RegisteredPackage p = get(id);
        if (p.files().isEmpty()) {
            throw new ConflictException("Package " + p.name() + " has no files to install");
        }
        List<Path> out = new ArrayList<>();
        for (PackageFile f : p.files()) {
            Path path = area.file(id, f.name());
            String sha;
            try {
                if (!Files.isRegularFile(path) || Files.size(path) != f.size()) {
                    throw new ConflictException("Package " + p.name() + ": file " + f.name() + " is missing from "
                            + path.getParent() + " or no longer " + f.size() + " bytes");
                }
                sha = PackageArea.hash(path);
            } catch (IOException e) {
                throw new ConflictException("Package " + p.name() + ": file " + f.name() + " cannot be read: "
                        + e.getMessage());
            }
            if (!sha.equals(f.sha256())) {
                throw new ConflictException("Package " + p.name() + ": file " + f.name() + " changed since it was"
                        + " uploaded (SHA-256 " + sha + ", registered " + f.sha256() + ")");
            }
            out.add(path);
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------------ rows

    private static NotFoundException notFound(long id) {
        return new NotFoundException("No package " + id);
    }

    private static long lockAndNextId(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE package_state SET next_id = next_id + 1 WHERE id = 1")) {
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT next_id FROM package_state WHERE id = 1");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1) - 1;
        }
    }

    private static void refuseTaken(Connection c, String name, long exceptId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT id FROM software_package WHERE name_key = ?"
                + " AND id <> ?")) {
            ps.setString(1, name.toLowerCase(Locale.ROOT));
            ps.setLong(2, exceptId);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    throw new ConflictException("A package named " + name + " is already registered (id "
                            + rs.getLong(1) + ")");
                }
            }
        }
    }

    private static void bind(PreparedStatement ps, PackageSpec s, Instant now) throws SQLException {
        ps.setString(1, s.name());
        ps.setString(2, s.name().toLowerCase(Locale.ROOT));
        ps.setString(3, s.kind().name());
        optional(ps, 4, s.version());
        optional(ps, 5, s.msNumber());
        optional(ps, 6, s.displayName());
        optional(ps, 7, s.packageId());
        ps.setString(8, s.urgency().name());
        ps.setString(9, s.installer().name());
        optional(ps, 10, s.command());
        ps.setString(11, PackageChecks.join(s.successCodes()));
        ps.setString(12, PackageChecks.join(s.rebootCodes()));
        ps.setInt(13, s.timeoutMinutes());
        optional(ps, 14, s.description());
        ps.setTimestamp(15, Timestamp.from(now));
    }

    private static void optional(PreparedStatement ps, int i, Optional<String> v) throws SQLException {
        if (v.isPresent()) {
            ps.setString(i, v.get());
        } else {
            ps.setNull(i, Types.VARCHAR);
        }
    }

    private static Optional<RegisteredPackage> byId(Connection c, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM software_package WHERE id = ?")) {
            ps.setLong(1, id);
            return read(c, ps).stream().findFirst();
        }
    }

    private static List<RegisteredPackage> read(Connection c, PreparedStatement ps) throws SQLException {
        Map<Long, PackageSpec> specs = new LinkedHashMap<>();
        Map<Long, Instant> updated = new LinkedHashMap<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                long id = rs.getLong(1);
                specs.put(id, new PackageSpec(rs.getString(2), PackageKind.valueOf(rs.getString(3)),
                        Optional.ofNullable(rs.getString(4)), Optional.ofNullable(rs.getString(5)),
                        Optional.ofNullable(rs.getString(6)), Optional.ofNullable(rs.getString(7)),
                        Urgency.valueOf(rs.getString(8)), InstallerKind.valueOf(rs.getString(9)),
                        Optional.ofNullable(rs.getString(10)), PackageChecks.split(rs.getString(11)),
                        PackageChecks.split(rs.getString(12)), rs.getInt(13), Optional.ofNullable(rs.getString(14))));
                updated.put(id, rs.getTimestamp(15).toInstant());
            }
        }
        List<RegisteredPackage> out = new ArrayList<>(specs.size());
        for (Map.Entry<Long, PackageSpec> e : specs.entrySet()) {
            out.add(new RegisteredPackage(e.getKey(), e.getValue(), files(c, e.getKey()), updated.get(e.getKey())));
        }
        return out;
    }

    private static int nextOrder(Connection c, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT MAX(file_order) FROM software_package_file"
                + " WHERE package_id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                int max = rs.getInt(1);
                return rs.wasNull() ? 0 : max + 1;
            }
        }
    }

    private static List<PackageFile> files(Connection c, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT name, size_bytes, sha256 FROM software_package_file"
                + " WHERE package_id = ? ORDER BY file_order")) {
            ps.setLong(1, id);
            List<PackageFile> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new PackageFile(rs.getString(1), rs.getLong(2), rs.getString(3)));
                }
            }
            return out;
        }
    }
}
