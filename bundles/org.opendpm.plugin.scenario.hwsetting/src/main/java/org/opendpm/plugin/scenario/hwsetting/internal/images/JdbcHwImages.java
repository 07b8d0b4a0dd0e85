package org.opendpm.plugin.scenario.hwsetting.internal.images;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

import org.opendpm.api.ConflictException;
import org.opendpm.api.NotFoundException;
import org.opendpm.api.ValidationException;
import org.opendpm.api.hwsetting.HwImage;
import org.opendpm.api.hwsetting.HwImageKind;
import org.opendpm.api.hwsetting.HwImageService;
import org.opendpm.api.settings.ServerSettingsService;
import org.opendpm.store.Database;
import org.opendpm.store.StoreException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link HwImageService} over the table {@code hw_image} and the folder {@value #FOLDER} of the image folder. A new
 * image is streamed into a temporary file of that folder, counted and hashed as it comes and cut off one byte past
 * its kind's limit, checked, and renamed to its final name inside the transaction that inserts its row: a refusal
 * leaves neither row nor file.
 */
@Component(service = { HwImageService.class, JdbcHwImages.class })
public class JdbcHwImages implements HwImageService {

    /** The folder of HW setting images below the image folder. */
    public static final String FOLDER = "hw-setting";
    private static final Logger LOG = LoggerFactory.getLogger(JdbcHwImages.class);
    private static final String COLUMNS = "name, kind, file_name, size_bytes, sha256, efi_machine, registered_at";

    private final Database database;
    private final ServerSettingsService settings;
    private final Clock clock;

    @Activate
    public JdbcHwImages(@Reference Database database, @Reference ServerSettingsService settings) {
        this(database, settings, Clock.systemUTC());
    }

    JdbcHwImages(Database database, ServerSettingsService settings, Clock clock) {
        this.database = database;
        this.settings = settings;
        this.clock = clock;
    }

    @Override
    public List<HwImage> list() {
        return database.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM hw_image ORDER BY name_key")) {
                return read(ps);
            }
        });
    }

    @Override
    public Optional<HwImage> find(String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_NAME) {
            return Optional.empty();
        }
        return database.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS
                    + " FROM hw_image WHERE name_key = ?")) {
                ps.setString(1, ImageChecks.key(name));
                return read(ps).stream().findFirst();
            }
        });
    }

    @Override
    public HwImage create(String name, HwImageKind kind, InputStream content) {
        ImageChecks.name(name);
        if (kind == null) {
            throw new ValidationException("kind", "A kind is required: floppy or efi");
        }
        if (content == null) {
            throw new ValidationException("content", "The image's bytes are required");
        }
        if (find(name).isPresent()) {
            throw taken(name);
        }
        Path folder = folder();
        Path tmp = null;
        try {
            Files.createDirectories(folder);
            tmp = Files.createTempFile(folder, ".upload-", ".tmp");
            long limit = ImageChecks.limit(kind);
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            long size;
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE);
                    OutputStream out = new DigestOutputStream(java.nio.channels.Channels.newOutputStream(ch),
                            sha)) {
                size = copyAtMost(content, out, limit);
                ch.force(true);
            }
            if (size > limit) {
                String what = kind == HwImageKind.FLOPPY ? "A floppy image" : "An EFI application";
                throw new ValidationException("content", what + " has at most " + limit + " bytes; this one has"
                        + " more");
            }
            Optional<String> machine = Optional.empty();
            if (kind == HwImageKind.FLOPPY) {
                ImageChecks.floppy(tmp, size);
            } else {
                machine = Optional.of(ImageChecks.efiApplication(tmp, size));
            }
            String fileName = ImageChecks.key(name) + (kind == HwImageKind.FLOPPY ? ".img" : ".efi");
            Path target = inside(folder, fileName);
            HwImage image = new HwImage(name, kind, size, HexFormat.of().formatHex(sha.digest()), machine,
                    clock.instant().truncatedTo(ChronoUnit.MILLIS));
            Path uploaded = tmp;
            insertAndMove(image, fileName, uploaded, target);
            tmp = null;
            LOG.info("HW setting image {} registered ({}, {} bytes, SHA-256 {})", name, kind.key(), size,
                    image.sha256());
            return image;
        } catch (IOException e) {
            throw new UncheckedIOException("The HW setting image " + name + " could not be stored: "
                    + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        } finally {
            if (tmp != null) {
                deleteQuietly(tmp);
            }
        }
    }

    private void insertAndMove(HwImage image, String fileName, Path uploaded, Path target) {
        try {
            database.inTransaction(c -> {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO hw_image (name_key, " + COLUMNS
                        + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
                    ps.setString(1, ImageChecks.key(image.name()));
                    ps.setString(2, image.name());
                    ps.setString(3, image.kind().name());
                    ps.setString(4, fileName);
                    ps.setLong(5, image.size());
                    ps.setString(6, image.sha256());
                    ps.setString(7, image.efiMachine().orElse(null));
                    ps.setTimestamp(8, Timestamp.from(image.registeredAt()));
                    ps.executeUpdate();
                } catch (SQLException e) {
                    if ("23505".equals(e.getSQLState())) {
                        throw taken(image.name());
                    }
                    throw e;
                }
                try {
                    // A file left by a row deleted while its file could not be is replaced.
                    Files.move(uploaded, target, StandardCopyOption.ATOMIC_MOVE,
                            StandardCopyOption.REPLACE_EXISTING);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                return null;
            });
        } catch (StoreException e) {
            if (e.isUniqueViolation()) {
                throw taken(image.name());
            }
            throw e;
        }
    }

    @Override
    public void delete(String name) {
        HwImage image = find(name).orElseThrow(() -> new NotFoundException("No HW setting image " + name));
        String fileName = database.inTransaction(c -> {
            String f;
            try (PreparedStatement ps = c.prepareStatement("SELECT file_name FROM hw_image WHERE name_key = ?")) {
                ps.setString(1, ImageChecks.key(image.name()));
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw new NotFoundException("No HW setting image " + name);
                    }
                    f = rs.getString(1);
                }
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM hw_image WHERE name_key = ?")) {
                ps.setString(1, ImageChecks.key(image.name()));
                ps.executeUpdate();
            }
            return f;
        });
        try {
            Files.deleteIfExists(inside(folder(), fileName));
        } catch (IOException e) {
            LOG.warn("HW setting image {} deleted, but its file {} could not be: {}", image.name(), fileName,
                    e.toString());
        }
        LOG.info("HW setting image {} deleted", image.name());
    }

    /** The stored file of a registered image, for serving; empty when the image or its file is gone. */
    public Optional<Path> file(HwImage image) {
        String fileName = ImageChecks.key(image.name()) + (image.kind() == HwImageKind.FLOPPY ? ".img" : ".efi");
        Path p = inside(folder(), fileName);
        return Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS) ? Optional.of(p) : Optional.empty();
    }

    private Path folder() {
        return Path.of(settings.get().imageFolder()).resolve(FOLDER).toAbsolutePath().normalize();
    }

    /** The file below the folder; names were checked, and this keeps the folder a jail all the same. */
    static Path inside(Path folder, String fileName) {
        Path p = folder.resolve(fileName).normalize();
        if (!p.getParent().equals(folder)) {
            throw new IllegalArgumentException("Not a plain file name: " + fileName);
        }
        return p;
    }

    /** Copies up to {@code limit + 1} bytes; a count above the limit means the source was longer. */
    static long copyAtMost(InputStream in, OutputStream out, long limit) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        while (total <= limit) {
            int want = (int) Math.min(buffer.length, limit + 1 - total);
            int n = in.read(buffer, 0, want);
            if (n < 0) {
                break;
            }
            out.write(buffer, 0, n);
            total += n;
        }
        return total;
    }

    private static ConflictException taken(String name) {
        return new ConflictException("A HW setting image named " + name + " is already registered");
    }

    private static List<HwImage> read(PreparedStatement ps) throws SQLException {
        List<HwImage> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new HwImage(rs.getString(1), HwImageKind.valueOf(rs.getString(2)), rs.getLong(4),
                        rs.getString(5), Optional.ofNullable(rs.getString(6)), rs.getTimestamp(7).toInstant()));
            }
        }
        return out;
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            LOG.warn("Temporary upload {} could not be removed: {}", p, e.toString());
        }
    }
}
