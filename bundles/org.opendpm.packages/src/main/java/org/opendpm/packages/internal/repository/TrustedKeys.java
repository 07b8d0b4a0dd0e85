package org.opendpm.packages.internal.repository;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The Ed25519 keys a repository's index must be signed by (PKG-3): each a {@code *.pem} file (X.509
 * SubjectPublicKeyInfo, {@code -----BEGIN PUBLIC KEY-----}) in one folder, read again at every download so adding or
 * removing a key needs no restart. A file that is not such a key is an error naming it: a typo must not silently
 * drop a key.
 */
public final class TrustedKeys {

    /** Length of an Ed25519 signature, the whole content of {@code index.json.sig}. */
    public static final int SIGNATURE_BYTES = 64;
    static final int MAX_KEYS = 64;
    static final int MAX_KEY_FILE = 8192;

    /** A key and the file it came from. */
    public record Key(String file, PublicKey key) {
    }

    private TrustedKeys() {
    }

    /** Reads every {@code *.pem} of the folder; an absent folder holds no keys. */
    public static List<Key> load(Path folder) throws IOException {
        List<Key> keys = new ArrayList<>();
        if (!Files.isDirectory(folder)) {
            return keys;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(folder, "*.pem")) {
            for (Path f : files) {
                if (keys.size() == MAX_KEYS) {
                    throw new IOException("more than " + MAX_KEYS + " keys in " + folder);
                }
                if (Files.size(f) > MAX_KEY_FILE) {
                    throw new IOException(f + " is larger than " + MAX_KEY_FILE + " bytes: not a public key");
                }
                keys.add(new Key(f.getFileName().toString(), parse(Files.readString(f, StandardCharsets.US_ASCII),
                        f.toString())));
            }
        }
        keys.sort((a, b) -> a.file().compareTo(b.file()));
        return keys;
    }

    /** An Ed25519 public key from its PEM text. */
    public static PublicKey parse(String pem, String where) throws IOException {
        String begin = "-----BEGIN PUBLIC KEY-----";
        String end = "-----END PUBLIC KEY-----";
        int from = pem.indexOf(begin);
        int to = pem.indexOf(end);
        if (from < 0 || to < from) {
            throw new IOException(where + " is not a PEM public key (" + begin + ")");
        }
        try {
            byte[] der = Base64.getMimeDecoder().decode(pem.substring(from + begin.length(), to));
            PublicKey key = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der));
            return key;
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            throw new IOException(where + " is not an Ed25519 public key: " + e.getMessage(), e);
        }
    }

    /**
     * The file name of the key whose signature of {@code index} {@code signature} is; an error when it is none of
     * them, which covers a changed index, a damaged signature and a key that is not trusted alike.
     */
    public static String verify(List<Key> keys, byte[] index, byte[] signature) {
        if (keys.isEmpty()) {
            throw RepositoryIndex.bad("no trusted key is configured, so no index can be accepted");
        }
        if (signature.length != SIGNATURE_BYTES) {
            throw RepositoryIndex.bad("its signature is " + signature.length + " bytes, not the " + SIGNATURE_BYTES
                    + " of an Ed25519 signature");
        }
        for (Key k : keys) {
            try {
                Signature s = Signature.getInstance("Ed25519");
                s.initVerify(k.key());
                s.update(index);
                if (s.verify(signature)) {
                    return k.file();
                }
            } catch (GeneralSecurityException e) {
                // a key of another kind never verifies; the next may
            }
        }
        throw RepositoryIndex.bad("its signature is not by any of the " + keys.size()
                + " trusted keys (the index was changed after signing, or signed by a key not trusted here)");
    }
}
