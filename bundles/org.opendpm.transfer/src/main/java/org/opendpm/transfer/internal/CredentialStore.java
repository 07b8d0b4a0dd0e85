package org.opendpm.transfer.internal;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

import org.opendpm.store.Database;
import org.opendpm.store.StoreException;

/**
 * Agent credentials in table {@code agent_credential}: one per canonical MAC, stored as a PBKDF2-HMAC-SHA256 hash.
 *
 * <p>Why {@value #ITERATIONS} iterations rather than the 120,000 of user passwords: a credential is 256 random bits
 * chosen by the server, not a human password, so there is no dictionary to slow down and a leaked hash cannot be
 * inverted by guessing at any cost; even one SHA-256 would be enough. PBKDF2 is kept (with a salt and the count in
 * the row) so the stored form matches the documented one and the cost can rise later, and the count stays low so
 * that thousands of agents reconnecting after a server restart do not cost seconds of CPU each.
 */
final class CredentialStore {

    static final int ITERATIONS = 1_000;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getDecoder();

    /** Why a credential was not issued. */
    static final class AlreadyIssuedException extends Exception {
        private static final long serialVersionUID = 1L;

        AlreadyIssuedException(String mac) {
            super("a credential was already issued for " + mac, null, false, false);
        }
    }

    private final Database database;

    CredentialStore(Database database) {
        this.database = database;
    }

    boolean exists(String mac) {
        return database.inTransaction(c -> {
            try (var ps = c.prepareStatement("SELECT 1 FROM agent_credential WHERE mac = ?")) {
                ps.setString(1, mac);
                try (var rs = ps.executeQuery()) {
                    return rs.next();
                }
            }
        });
    }

    private static final java.util.regex.Pattern WELL_FORMED = java.util.regex.Pattern.compile("[A-Za-z0-9_-]{43,512}");

    /** Whether a proposed credential has at least 256 bits' worth of base64url characters. */
    static boolean wellFormed(String credential) {
        return WELL_FORMED.matcher(credential).matches();
    }

    /**
     * Issues a credential for {@code mac} and returns it: the one the agent proposes, or a new one (43 characters
     * base64url, 256 random bits); the database keeps only its hash. Of concurrent calls for one MAC exactly one
     * succeeds: the MAC is the key. A MAC that has a credential already gets it again only when the same credential
     * is proposed (the agent retrying after losing the answer), never a new one.
     */
    String issue(String mac, String issuedTo, Optional<String> proposed) throws AlreadyIssuedException {
        String credential;
        if (proposed.isPresent()) {
            credential = proposed.get();
        } else {
            byte[] secret = new byte[32];
            RANDOM.nextBytes(secret);
            credential = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        }
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        byte[] hash = derive(credential, salt, ITERATIONS);
        try {
            database.inTransaction(c -> {
                try (var ps = c.prepareStatement("INSERT INTO agent_credential (mac, credential_hash, salt, iterations,"
                        + " issued_at, issued_to) VALUES (?, ?, ?, ?, ?, ?)")) {
                    ps.setString(1, mac);
                    ps.setString(2, B64.encodeToString(hash));
                    ps.setString(3, B64.encodeToString(salt));
                    ps.setInt(4, ITERATIONS);
                    ps.setTimestamp(5, Timestamp.from(Instant.now()));
                    ps.setString(6, issuedTo.length() > 64 ? issuedTo.substring(0, 64) : issuedTo);
                    return ps.executeUpdate();
                }
            });
        } catch (StoreException e) {
            if (e.isUniqueViolation()) {
                if (proposed.isPresent() && verify(mac, proposed.get())) {
                    return credential;
                }
                throw new AlreadyIssuedException(mac);
            }
            throw e;
        }
        return credential;
    }

    /**
     * Whether {@code credential} is the one issued for {@code mac}; on success the row's last-seen time is set. The
     * hashes are compared in constant time, and an unknown MAC costs a derivation too, so the answer's timing does
     * not tell which MACs have a credential.
     */
    boolean verify(String mac, String credential) {
        record Row(byte[] hash, byte[] salt, int iterations) {
        }
        Optional<Row> row = database.inTransaction(c -> {
            try (var ps = c.prepareStatement(
                    "SELECT credential_hash, salt, iterations FROM agent_credential WHERE mac = ?")) {
                ps.setString(1, mac);
                try (var rs = ps.executeQuery()) {
                    return rs.next()
                            ? Optional.of(new Row(B64D.decode(rs.getString(1)), B64D.decode(rs.getString(2)),
                                    rs.getInt(3)))
                            : Optional.<Row>empty();
                }
            }
        });
        if (row.isEmpty()) {
            derive(credential, new byte[16], ITERATIONS);
            return false;
        }
        boolean ok = MessageDigest.isEqual(row.get().hash(),
                derive(credential, row.get().salt(), row.get().iterations()));
        if (ok) {
            database.inTransaction(c -> {
                try (var ps = c.prepareStatement("UPDATE agent_credential SET last_seen_at = ? WHERE mac = ?")) {
                    ps.setTimestamp(1, Timestamp.from(Instant.now()));
                    ps.setString(2, mac);
                    return ps.executeUpdate();
                }
            });
        }
        return ok;
    }

    /** Withdraws the credential of {@code mac}; {@code false} when none was issued. */
    boolean delete(String mac) {
        return database.inTransaction(c -> {
            try (var ps = c.prepareStatement("DELETE FROM agent_credential WHERE mac = ?")) {
                ps.setString(1, mac);
                return ps.executeUpdate() > 0;
            }
        });
    }

    private static byte[] derive(String credential, byte[] salt, int iterations) {
        var spec = new PBEKeySpec(credential.toCharArray(), salt, iterations, 256);
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is not available in this JVM", e);
        } finally {
            spec.clearPassword();
        }
    }
}
