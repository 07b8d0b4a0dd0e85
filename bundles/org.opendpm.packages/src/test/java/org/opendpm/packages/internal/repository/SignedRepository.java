package org.opendpm.packages.internal.repository;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * A package repository in a folder as an administrator publishes it (docs/package-repository.md): {@code index.json},
 * {@code index.json.sig} and {@code files/<sha256>}, signed with an Ed25519 key made here.
 */
public final class SignedRepository {

    private final Path folder;
    private final KeyPair key;
    private final List<String> packages = new ArrayList<>();

    public SignedRepository(Path folder) throws IOException, GeneralSecurityException {
        this(folder, KeyPairGenerator.getInstance("Ed25519").generateKeyPair());
    }

    public SignedRepository(Path folder, KeyPair key) throws IOException {
        this.folder = folder;
        this.key = key;
        Files.createDirectories(folder.resolve("files"));
    }

    public Path folder() {
        return folder;
    }

    public KeyPair key() {
        return key;
    }

    /** Adds a Linux patch installed by dpkg with one file of this content; returns the file's SHA-256. */
    public String deb(String name, String fileName, String content) throws IOException, GeneralSecurityException {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        Files.write(folder.resolve("files").resolve(sha), bytes);
        packages.add("{\"name\": \"" + name + "\", \"kind\": \"LINUX_PATCH\", \"urgency\": \"HIGH\","
                + " \"installer\": \"DEB\", \"successCodes\": [0], \"timeoutMinutes\": 30, \"files\": [{\"name\": \""
                + fileName + "\", \"size\": " + bytes.length + ", \"sha256\": \"" + sha + "\"}]}");
        return sha;
    }

    public void remove(String name) {
        packages.removeIf(p -> p.startsWith("{\"name\": \"" + name + "\""));
    }

    /** Writes the index and its signature. */
    public byte[] publish() throws IOException, GeneralSecurityException {
        byte[] index = ("{\"format\": 1, \"packages\": [" + String.join(",\n", packages) + "]}\n")
                .getBytes(StandardCharsets.UTF_8);
        Files.write(folder.resolve("index.json"), index);
        Files.write(folder.resolve("index.json.sig"), sign(key, index));
        return index;
    }

    public static byte[] sign(KeyPair key, byte[] bytes) throws GeneralSecurityException {
        Signature s = Signature.getInstance("Ed25519");
        s.initSign(key.getPrivate());
        s.update(bytes);
        return s.sign();
    }

    public static String pem(PublicKey key) {
        return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(key.getEncoded()) + "\n-----END PUBLIC KEY-----\n";
    }

    /** Writes the repository's public key as a trusted key into the folder. */
    public void trustIn(Path keys, String fileName) throws IOException {
        Files.createDirectories(keys);
        Files.writeString(keys.resolve(fileName), pem(key.getPublic()), StandardCharsets.US_ASCII);
    }
}
