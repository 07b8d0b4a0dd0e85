package org.opendpm.netboot.internal.publish;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Pattern;

import org.opendpm.api.ValidationException;
import org.opendpm.api.boot.PublishedFiles;
import org.opendpm.netboot.internal.http.PublishedLookup;
import org.opendpm.store.Database;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Published files in table {@code published_file} (changeSet {@code 10-published-files}), served by HTTP boot at
 * {@value #PATH_PREFIX}{@code <token>/<name>}. The token is 256 random bits and only its SHA-256 is stored, as the
 * row's key: whoever reads the database learns the content, not the URL; whoever guesses a URL has 2^-256 odds. A
 * token is never logged. Expired rows are answered as unknown and deleted by the next publish.
 */
@Component(service = { PublishedFiles.class, PublishedLookup.class })
public final class JdbcPublishedFiles implements PublishedFiles, PublishedLookup {

    /** Where published files are, below the server's HTTP root. */
    public static final String PATH_PREFIX = "/opendpm/boot/published/";

    private static final Logger LOG = LoggerFactory.getLogger(JdbcPublishedFiles.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int MAX_NAME = 255;
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_-]{43}");
    /** type/subtype and optional parameters (RFC 6838 names); no control characters, so it is a safe header. */
    private static final Pattern MEDIA_TYPE = Pattern.compile(
            "[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}"
                    + "(\\s*;\\s*[A-Za-z0-9!#$&^_.+-]+=(\"[\\x20-\\x7e&&[^\"\\\\]]*\"|[A-Za-z0-9!#$&^_.+-]+))*");
    /**
     * What a URL path, a kernel command line and an iPXE script all carry as it is: no ';' (a path parameter to
     * servlet containers), no '$' (iPXE expands it), no '&amp;' or spaces.
     */
    private static final Pattern NAME_CHARS = Pattern.compile("[A-Za-z0-9._~+-]+");

    private final Database database;
    private final Clock clock;

    @Activate
    public JdbcPublishedFiles(@Reference Database database) {
        this(database, Clock.systemUTC());
    }

    public JdbcPublishedFiles(Database database, Clock clock) {
        this.database = database;
        this.clock = clock;
    }

    @Override
    public String publish(long executionId, String name, byte[] content, String mediaType, Instant expiresAt) {
        checkName(name);
        if (content == null) {
            throw new ValidationException("content", "Content is required");
        }
        if (content.length > MAX_BYTES) {
            throw new ValidationException("content", "A published file holds at most " + MAX_BYTES + " bytes, not "
                    + content.length);
        }
        if (mediaType == null || mediaType.length() > 255 || !MEDIA_TYPE.matcher(mediaType).matches()) {
            throw new ValidationException("mediaType", "A media type such as text/plain; charset=utf-8 is required");
        }
        if (expiresAt == null || !expiresAt.isAfter(clock.instant())) {
            throw new ValidationException("expiresAt", "A published file must expire in the future, not at "
                    + expiresAt);
        }
        byte[] raw = new byte[32];
        RANDOM.nextBytes(raw);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        int expired = database.inTransaction(c -> {
            int deleted;
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM published_file WHERE expires_at <= ?")) {
                ps.setTimestamp(1, Timestamp.from(now));
                deleted = ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO published_file (token_hash, execution_id,"
                    + " name, media_type, content, published_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, hash(token));
                ps.setLong(2, executionId);
                ps.setString(3, name);
                ps.setString(4, mediaType);
                ps.setBytes(5, content);
                ps.setTimestamp(6, Timestamp.from(now));
                ps.setTimestamp(7, Timestamp.from(expiresAt.truncatedTo(ChronoUnit.MILLIS)));
                ps.executeUpdate();
            }
            return deleted;
        });
        LOG.info("Published {} ({} bytes, {}) for execution {} until {}{}", name, content.length, mediaType,
                executionId, expiresAt, expired > 0 ? "; " + expired + " expired files deleted" : "");
        return PATH_PREFIX + token + "/" + name;
    }

    @Override
    public int withdraw(long executionId) {
        int n = database.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM published_file WHERE execution_id = ?")) {
                ps.setLong(1, executionId);
                return ps.executeUpdate();
            }
        });
        if (n > 0) {
            LOG.info("Withdrew {} published files of execution {}", n, executionId);
        }
        return n;
    }

    @Override
    public Optional<Found> find(String token, String name) {
        if (token == null || !TOKEN.matcher(token).matches() || !plainName(name)) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        return database.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT media_type, content FROM published_file"
                    + " WHERE token_hash = ? AND name = ? AND expires_at > ?")) {
                ps.setString(1, hash(token));
                ps.setString(2, name);
                ps.setTimestamp(3, Timestamp.from(now));
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next()
                            ? Optional.of(new Found(rs.getString(1), rs.getBytes(2)))
                            : Optional.<Found>empty();
                }
            }
        });
    }

    /**
     * A plain file name: 1 to 255 letters, digits, {@code . _ ~ + -}, not {@code .} and without {@code ..}. The name
     * is part of the URL handed to installers, so it must need no escaping anywhere that URL goes.
     */
    static boolean plainName(String name) {
        return name != null && name.length() <= MAX_NAME && NAME_CHARS.matcher(name).matches()
                && !name.equals(".") && !name.contains("..");
    }

    private static void checkName(String name) {
        if (!plainName(name)) {
            String shown = name == null
                    ? "null"
                    : name.chars().limit(80).map(ch -> ch < 0x20 || ch > 0x7e ? '?' : ch)
                            .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
                            .toString();
            throw new ValidationException("name", "A published file needs a plain file name: 1 to " + MAX_NAME
                    + " letters, digits, '.', '_', '~', '+' or '-', without '..', not '" + shown + "'");
        }
    }

    private static String hash(String token) {
        try {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(
                    MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
