package org.opendpm.store.secret;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** Key files and values sealed with AES-256-GCM (secrets at rest). */
public class SecretBoxTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void aKeyFileIsCreatedOwnerOnlyOnceAndReadAgain() throws Exception {
        Path file = tmp.getRoot().toPath().resolve("sub/dir/test.key");
        byte[] first = KeyFile.loadOrCreate(file, "test key");
        assertThat(first).hasSize(32);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(Base64.getUrlDecoder().decode(Files.readString(file).strip())).isEqualTo(first);
        assertThat(KeyFile.loadOrCreate(file, "test key")).isEqualTo(first);
        assertThat(Files.exists(file.resolveSibling("test.key.tmp"))).isFalse();
        assertThat(KeyFile.loadOrCreate(tmp.getRoot().toPath().resolve("other.key"), "test key")).isNotEqualTo(first);
    }

    @Test
    public void aFileThatHoldsNoKeyIsAClearError() throws Exception {
        Path file = tmp.newFile("bad.key").toPath();
        Files.writeString(file, "not base64!");
        assertThatThrownBy(() -> KeyFile.loadOrCreate(file, "test key")).hasMessage(file + " is not a test key (not"
                + " base64url)");
        Files.writeString(file, Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[16]));
        assertThatThrownBy(() -> KeyFile.loadOrCreate(file, "test key")).hasMessage(file + " is not a test key (16"
                + " bytes, not 32)");
        Files.write(file, new byte[257]);
        assertThatThrownBy(() -> KeyFile.loadOrCreate(file, "test key")).hasMessage(file + " is not a test key (too"
                + " large)");
    }

    @Test
    public void sealedValuesOpenWithTheirKeyAndContextOnly() throws Exception {
        SecretBox box = SecretBox.loadOrCreate(tmp.getRoot().toPath().resolve("a.key"), "test key");
        String sealed = box.seal("hunter2-päss", "machine 7 password");
        assertThat(sealed).startsWith("v1.").doesNotContain("hunter2");
        assertThat(box.open(sealed, "machine 7 password")).isEqualTo("hunter2-päss");
        // A fresh IV each time: the same secret never seals to the same text.
        assertThat(box.seal("hunter2-päss", "machine 7 password")).isNotEqualTo(sealed);
        assertThat(box.open(box.seal("", "c"), "c")).isEmpty();

        assertThatThrownBy(() -> box.open(sealed, "machine 8 password")).isInstanceOf(SealedValueException.class)
                .hasMessageContaining("another key");
        SecretBox other = SecretBox.loadOrCreate(tmp.getRoot().toPath().resolve("b.key"), "test key");
        assertThatThrownBy(() -> other.open(sealed, "machine 7 password")).isInstanceOf(SealedValueException.class)
                .hasMessage("sealed under another key than the one in " + other.file() + ", or altered");
        assertThat(other.toString()).doesNotContain(Files.readString(other.file()).strip());
    }

    @Test
    public void alteredOrForeignTextIsRefusedBeforeAnyWork() throws Exception {
        SecretBox box = SecretBox.loadOrCreate(tmp.getRoot().toPath().resolve("a.key"), "test key");
        String sealed = box.seal("secret", "c");
        // A character inside the text: the last one may carry only padding bits, which decoding ignores.
        int at = sealed.length() / 2;
        String altered = sealed.substring(0, at) + (sealed.charAt(at) == 'A' ? 'B' : 'A') + sealed.substring(at + 1);
        assertThatThrownBy(() -> box.open(altered, "c")).isInstanceOf(SealedValueException.class);
        assertThatThrownBy(() -> box.open("secret", "c")).hasMessage("not a value sealed by OpenDPM (v1)");
        assertThatThrownBy(() -> box.open("v1.***", "c")).hasMessage("not a value sealed by OpenDPM (not base64url)");
        assertThatThrownBy(() -> box.open("v1.AAAA", "c")).hasMessage("not a value sealed by OpenDPM (too short)");
        assertThatThrownBy(() -> box.open("v1." + "A".repeat(1 << 20), "c"))
                .hasMessage("not a value sealed by OpenDPM (v1)");
        assertThatThrownBy(() -> box.seal("x".repeat(SecretBox.MAX_PLAIN_BYTES + 1), "c"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(box.open(box.seal("x".repeat(SecretBox.MAX_PLAIN_BYTES), "c"), "c"))
                .hasSize(SecretBox.MAX_PLAIN_BYTES);
    }
}
