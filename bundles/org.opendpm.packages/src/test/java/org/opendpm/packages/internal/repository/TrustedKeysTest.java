package org.opendpm.packages.internal.repository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Arrays;
import java.util.List;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.opendpm.api.ValidationException;

/** The index's Ed25519 signature (PKG-3): good, changed index, damaged signature, unknown key, no key, bad files. */
public class TrustedKeysTest {

    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    private static final byte[] INDEX = "{\"format\": 1, \"packages\": []}".getBytes(StandardCharsets.UTF_8);

    private static KeyPair pair() throws Exception {
        return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    }

    private List<TrustedKeys.Key> trusting(KeyPair... pairs) throws IOException {
        Path keys = tmp.newFolder().toPath();
        for (int i = 0; i < pairs.length; i++) {
            Files.writeString(keys.resolve("key" + i + ".pem"), SignedRepository.pem(pairs[i].getPublic()));
        }
        Files.writeString(keys.resolve("README.txt"), "not a key, and not read: only *.pem are");
        return TrustedKeys.load(keys);
    }

    @Test
    public void aSignatureByATrustedKeyNamesTheKey() throws Exception {
        KeyPair a = pair();
        KeyPair b = pair();
        List<TrustedKeys.Key> keys = trusting(a, b);
        assertThat(keys).extracting(TrustedKeys.Key::file).containsExactly("key0.pem", "key1.pem");
        assertThat(TrustedKeys.verify(keys, INDEX, SignedRepository.sign(b, INDEX))).isEqualTo("key1.pem");
    }

    @Test
    public void aChangedIndexIsRefused() throws Exception {
        KeyPair a = pair();
        byte[] signature = SignedRepository.sign(a, INDEX);
        byte[] changed = Arrays.copyOf(INDEX, INDEX.length + 1);
        changed[INDEX.length] = ' ';
        assertThatThrownBy(() -> TrustedKeys.verify(trusting(a), changed, signature))
                .isInstanceOf(ValidationException.class).hasMessageContaining("not by any of the 1 trusted keys");
    }

    @Test
    public void aDamagedSignatureIsRefused() throws Exception {
        KeyPair a = pair();
        byte[] signature = SignedRepository.sign(a, INDEX);
        signature[10] ^= 1;
        assertThatThrownBy(() -> TrustedKeys.verify(trusting(a), INDEX, signature))
                .hasMessageContaining("not by any of the 1 trusted keys");
    }

    @Test
    public void aKeyNotTrustedHereIsRefused() throws Exception {
        KeyPair stranger = pair();
        assertThatThrownBy(() -> TrustedKeys.verify(trusting(pair()), INDEX, SignedRepository.sign(stranger, INDEX)))
                .hasMessageContaining("signed by a key not trusted here");
    }

    @Test
    public void aMissingOrTruncatedSignatureIsRefused() throws Exception {
        KeyPair a = pair();
        assertThatThrownBy(() -> TrustedKeys.verify(trusting(a), INDEX, new byte[0]))
                .hasMessageContaining("signature is 0 bytes, not the 64");
        byte[] signature = SignedRepository.sign(a, INDEX);
        assertThatThrownBy(() -> TrustedKeys.verify(trusting(a), INDEX, Arrays.copyOf(signature, 63)))
                .hasMessageContaining("63 bytes");
    }

    @Test
    public void noTrustedKeyAcceptsNothing() throws Exception {
        KeyPair a = pair();
        assertThatThrownBy(() -> TrustedKeys.verify(List.of(), INDEX, SignedRepository.sign(a, INDEX)))
                .hasMessageContaining("no trusted key is configured");
        assertThat(TrustedKeys.load(tmp.getRoot().toPath().resolve("absent"))).isEmpty();
    }

    @Test
    public void aKeyFileThatIsNoEd25519KeyIsAnErrorNamingIt() throws Exception {
        Path keys = tmp.newFolder().toPath();
        Files.writeString(keys.resolve("typo.pem"), "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n");
        assertThatThrownBy(() -> TrustedKeys.load(keys)).isInstanceOf(IOException.class)
                .hasMessageContaining("typo.pem").hasMessageContaining("not an Ed25519 public key");
        Files.writeString(keys.resolve("typo.pem"), "ssh-ed25519 AAAA");
        assertThatThrownBy(() -> TrustedKeys.load(keys)).hasMessageContaining("not a PEM public key");
        Files.write(keys.resolve("typo.pem"), new byte[TrustedKeys.MAX_KEY_FILE + 1]);
        assertThatThrownBy(() -> TrustedKeys.load(keys)).hasMessageContaining("larger than");
    }
}
