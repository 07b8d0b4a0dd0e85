package org.opendpm.transfer.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.Set;

import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent link's TLS identity: a self-signed EC P-256 certificate (CN = the host name, 10 years) in
 * {@code <folder>/server.p12}, generated on first start and reused afterwards, since agents pin its fingerprint.
 * The key store's password is random and kept beside it in {@code server.p12.password}; both files are readable by
 * the owner only.
 *
 * <p>Only the certificate structure is built with BouncyCastle: the key pair, the ECDSA signature, the certificate
 * parsing and the key store are the JDK's, so nothing is registered as a global security provider.
 */
public final class ServerCertificate {

    static final String KEY_STORE = "server.p12";
    static final String PASSWORD_FILE = "server.p12.password";
    private static final String ALIAS = "opendpm-agent-link";
    private static final Duration VALIDITY = Duration.ofDays(3653);
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    private static final Logger LOG = LoggerFactory.getLogger(ServerCertificate.class);

    private final PrivateKey key;
    private final X509Certificate certificate;
    private final String fingerprint;

    private ServerCertificate(PrivateKey key, X509Certificate certificate) {
        this.key = key;
        this.certificate = certificate;
        this.fingerprint = fingerprint(certificate);
    }

    /** Loads the certificate from {@code folder}, or generates and stores one when there is none. */
    static ServerCertificate loadOrCreate(Path folder) throws IOException, GeneralSecurityException {
        Path store = folder.resolve(KEY_STORE);
        Path passwordFile = folder.resolve(PASSWORD_FILE);
        if (Files.exists(store)) {
            if (!Files.exists(passwordFile)) {
                throw new IOException(store + " exists but its password file " + passwordFile
                        + " is missing; restore it, or delete " + store
                        + " to generate a new certificate (every agent must then trust the new fingerprint)");
            }
            char[] password = Files.readString(passwordFile, StandardCharsets.US_ASCII).strip().toCharArray();
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(store)) {
                ks.load(in, password);
            }
            if (!(ks.getKey(ALIAS, password) instanceof PrivateKey pk)
                    || !(ks.getCertificate(ALIAS) instanceof X509Certificate cert)) {
                throw new IOException(store + " holds no entry '" + ALIAS + "' with a key and certificate");
            }
            return new ServerCertificate(pk, cert);
        }
        Files.createDirectories(folder);
        ServerCertificate generated = generate(hostName());
        char[] password = randomPassword();
        writeOwnerOnly(passwordFile, new String(password).getBytes(StandardCharsets.US_ASCII));
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry(ALIAS, generated.key, password, new Certificate[]{ generated.certificate });
        Path tmp = folder.resolve(KEY_STORE + ".tmp");
        Files.deleteIfExists(tmp);
        createOwnerOnly(tmp);
        try (OutputStream out = Files.newOutputStream(tmp)) {
            ks.store(out, password);
        }
        Files.move(tmp, store, StandardCopyOption.ATOMIC_MOVE);
        LOG.info("Agent link certificate generated in {}, SHA-256 fingerprint {}", store, generated.fingerprint);
        return generated;
    }

    static ServerCertificate generate(String commonName) throws GeneralSecurityException {
        KeyPairGenerator kpg = KeyPairGenerator.getInstance("EC");
        kpg.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
        KeyPair pair = kpg.generateKeyPair();
        var name = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName)
                .addRDN(BCStyle.O, "OpenDPM").build();
        Instant now = Instant.now();
        // A positive random serial: certificates regenerated after deleting the file must not share one.
        BigInteger serial = new BigInteger(127, new SecureRandom()).add(BigInteger.ONE);
        var builder = new JcaX509v3CertificateBuilder(name, serial, Date.from(now.minus(Duration.ofHours(1))),
                Date.from(now.plus(VALIDITY)), name, pair.getPublic());
        try {
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            X509CertificateHolder holder = builder.build(new JcaContentSignerBuilder("SHA256withECDSA")
                    .build(pair.getPrivate()));
            return new ServerCertificate(pair.getPrivate(), new JcaX509CertificateConverter().getCertificate(holder));
        } catch (OperatorCreationException | IOException e) {
            throw new GeneralSecurityException("cannot build the agent link certificate: " + e.getMessage(), e);
        }
    }

    /** SHA-256 of the DER certificate, lower-case hex without separators: what agents pin. */
    static String fingerprint(X509Certificate certificate) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot encode the agent link certificate", e);
        }
    }

    PrivateKey key() {
        return key;
    }

    public X509Certificate certificate() {
        return certificate;
    }

    /** The SHA-256 fingerprint agents pin ({@code --server-fingerprint}), hex, lower case, no colons. */
    public String fingerprint() {
        return fingerprint;
    }

    private static String hostName() {
        try {
            String h = InetAddress.getLocalHost().getHostName();
            return h == null || h.isBlank() ? "opendpm" : h;
        } catch (IOException e) {
            return "opendpm";
        }
    }

    private static char[] randomPassword() {
        byte[] b = new byte[24];
        new SecureRandom().nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b).toCharArray();
    }

    private static void writeOwnerOnly(Path file, byte[] content) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        createOwnerOnly(tmp);
        Files.write(tmp, content);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Creates the file with mode 600 from the start, so its content is never readable by others. */
    private static void createOwnerOnly(Path file) throws IOException {
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        } catch (UnsupportedOperationException e) {
            Files.createFile(file); // not a POSIX file system (Windows): the folder's ACL applies
        }
    }
}
