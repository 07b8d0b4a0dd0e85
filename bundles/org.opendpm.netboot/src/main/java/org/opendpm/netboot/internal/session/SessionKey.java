package org.opendpm.netboot.internal.session;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.opendpm.store.secret.KeyFile;

/**
 * The server key from which Deploy-OS session tokens are derived: 256 random bits in a file of the server's data
 * folder (base64url text, owner-only), generated on first start. Servers sharing one database must share this file;
 * {@link #check()} lets them find out when they do not.
 */
final class SessionKey {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int KEY_BYTES = KeyFile.KEY_BYTES;
    private static final String ALGORITHM = "HmacSHA256";
    /** Versioned, so a later derivation can never produce a token this one accepts. */
    private static final String TOKEN_CONTEXT = "opendpm deployos-session v1";
    private static final String RESUME_CONTEXT = "opendpm deployos-resume v1";
    private static final String CHECK_CONTEXT = "opendpm deployos-session key check v1";

    private final Path file;
    private final byte[] key;

    private SessionKey(Path file, byte[] key) {
        this.file = file;
        this.key = key;
    }

    /** Reads the key file, or creates it when it does not exist ({@link KeyFile}). */
    static SessionKey loadOrCreate(Path file) throws IOException {
        return new SessionKey(file, KeyFile.loadOrCreate(file, "Deploy-OS session key"));
    }

    Path file() {
        return file;
    }

    /** The token of one issue: 256 bits, base64url without padding (43 characters). */
    String token(long machineId, long executionId, String nonce) {
        return hmac(TOKEN_CONTEXT + "\n" + machineId + "\n" + executionId + "\n" + nonce);
    }

    /**
     * The resume key of one redeemed issue: as a token, under another context, so neither can stand in for the
     * other.
     */
    String resumeKey(long machineId, long executionId, String nonce) {
        return hmac(RESUME_CONTEXT + "\n" + machineId + "\n" + executionId + "\n" + nonce);
    }

    /** A value that tells whether two servers have the same key, and nothing about the key. */
    String check() {
        return hmac(CHECK_CONTEXT);
    }

    /** A fresh nonce: 256 random bits, base64url (43 characters). */
    static String nonce() {
        byte[] b = new byte[KEY_BYTES];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private String hmac(String text) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(key, ALGORITHM));
            return Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
    }

    /** Compares two tokens in time that depends on their length only. */
    static boolean sameToken(String expected, String presented) {
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                presented.getBytes(StandardCharsets.US_ASCII));
    }

    @Override
    public String toString() {
        // Never the key itself, should this object end up in a log line.
        return "SessionKey[" + file + "]";
    }
}
