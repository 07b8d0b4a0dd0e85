package org.opendpm.store.secret;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals values for the database with AES-256-GCM under a key of a {@link KeyFile}: a random 96-bit IV per value, a
 * 128-bit tag, and a context (which row and field the value belongs to) as associated data, so a sealed value copied
 * into another row does not open there. Sealed text is {@code v1.} followed by base64url of IV, cipher text and tag.
 */
public final class SecretBox {

    /** Longest plain text sealed, in UTF-8 bytes; a sealed value is at most about 4/3 of this plus 40 characters. */
    public static final int MAX_PLAIN_BYTES = 16 * 1024;
    private static final String PREFIX = "v1.";
    private static final int IV_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final int MAX_SEALED_CHARS = PREFIX.length() + (IV_BYTES + MAX_PLAIN_BYTES + TAG_BITS / 8) * 4 / 3
            + 4;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path file;
    private final SecretKeySpec key;

    private SecretBox(Path file, byte[] key) {
        this.file = file;
        this.key = new SecretKeySpec(key, "AES");
    }

    /** The box over the key in {@code file}, created on first use ({@link KeyFile#loadOrCreate}). */
    public static SecretBox loadOrCreate(Path file, String what) throws IOException {
        return new SecretBox(file, KeyFile.loadOrCreate(file, what));
    }

    /** The key file, for messages that tell an operator which file to copy. */
    public Path file() {
        return file;
    }

    /** Seals {@code plain} for the place {@code context} names (for example "machine 7 password"). */
    public String seal(String plain, String context) {
        byte[] text = plain.getBytes(StandardCharsets.UTF_8);
        if (text.length > MAX_PLAIN_BYTES) {
            throw new IllegalArgumentException("a secret is at most " + MAX_PLAIN_BYTES + " bytes");
        }
        byte[] iv = new byte[IV_BYTES];
        RANDOM.nextBytes(iv);
        try {
            Cipher cipher = cipher(Cipher.ENCRYPT_MODE, iv, context);
            byte[] sealed = cipher.doFinal(text);
            ByteBuffer out = ByteBuffer.allocate(IV_BYTES + sealed.length).put(iv).put(sealed);
            return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(out.array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/GCM is part of every Java runtime", e);
        }
    }

    /**
     * Opens a value {@link #seal sealed} for {@code context}.
     *
     * @throws SealedValueException when the value is not sealed text, was sealed under another key or for another
     *             context, or was altered
     */
    public String open(String sealed, String context) throws SealedValueException {
        Objects.requireNonNull(sealed, "sealed");
        if (!sealed.startsWith(PREFIX) || sealed.length() > MAX_SEALED_CHARS) {
            throw new SealedValueException("not a value sealed by OpenDPM (v1)");
        }
        byte[] raw;
        try {
            raw = Base64.getUrlDecoder().decode(sealed.substring(PREFIX.length()));
        } catch (IllegalArgumentException e) {
            throw new SealedValueException("not a value sealed by OpenDPM (not base64url)");
        }
        if (raw.length < IV_BYTES + TAG_BITS / 8) {
            throw new SealedValueException("not a value sealed by OpenDPM (too short)");
        }
        try {
            Cipher cipher = cipher(Cipher.DECRYPT_MODE, Arrays.copyOf(raw, IV_BYTES), context);
            return new String(cipher.doFinal(raw, IV_BYTES, raw.length - IV_BYTES), StandardCharsets.UTF_8);
        } catch (AEADBadTagException e) {
            throw new SealedValueException("sealed under another key than the one in " + file
                    + ", or altered");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/GCM is part of every Java runtime", e);
        }
    }

    private Cipher cipher(int mode, byte[] iv, String context) throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(mode, key, new GCMParameterSpec(TAG_BITS, iv));
        cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
        return cipher;
    }

    @Override
    public String toString() {
        // Never the key, should this object end up in a log line.
        return "SecretBox[" + file + "]";
    }
}
