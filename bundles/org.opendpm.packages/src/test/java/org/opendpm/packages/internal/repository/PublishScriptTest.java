package org.opendpm.packages.internal.repository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.Assume.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The administrator's publishing tool, {@code bin/opendpm-package-repo} (OpenSSL 3), makes keys, files and a
 * signature the server accepts (PKG-3): what docs/package-repository.md tells an administrator to do.
 */
public class PublishScriptTest {

    private static final Path SCRIPT = Path.of("..", "..", "karaf-assembly", "src", "main", "resources", "assembly",
            "bin", "opendpm-package-repo");

    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    private static String run(Path dir, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("sh", SCRIPT.toAbsolutePath().toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    private static void requireOpenssl() throws InterruptedException {
        boolean present;
        try {
            present = new ProcessBuilder("openssl", "version").redirectErrorStream(true).start().waitFor() == 0;
        } catch (IOException e) {
            present = false;
        }
        if (!present) {
            String message = "openssl is missing: the publishing tool's test needs it (apt-get install openssl)";
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError(message);
            }
            System.err.println("SKIPPED LOUDLY: " + message);
            assumeTrue(message, false);
        }
    }

    @Test
    public void anIndexSignedByTheToolIsAcceptedAndAChangedOneIsNot() throws Exception {
        requireOpenssl();
        Path dir = tmp.getRoot().toPath();
        Path repo = dir.resolve("repo");
        run(dir, "keygen", "publisher.key");
        Files.writeString(dir.resolve("fix.deb"), "a Debian package");
        String entry = run(dir, "add-file", "repo", "fix.deb").trim();
        assertThat(entry).startsWith("{\"name\": \"fix.deb\", \"size\": 16, \"sha256\": \"");
        byte[] index = ("{\"format\": 1, \"packages\": [{\"name\": \"fix\", \"kind\": \"LINUX_PATCH\", \"urgency\":"
                + " \"HIGH\", \"installer\": \"DEB\", \"files\": [" + entry + "]}]}\n")
                .getBytes(StandardCharsets.UTF_8);
        Files.write(repo.resolve("index.json"), index);
        run(dir, "sign", "repo", "publisher.key");

        Path keys = Files.createDirectories(dir.resolve("package-keys"));
        Files.copy(dir.resolve("publisher.key.pub.pem"), keys.resolve("publisher.pem"));
        byte[] signature = Files.readAllBytes(repo.resolve("index.json.sig"));
        List<TrustedKeys.Key> trusted = TrustedKeys.load(keys);
        assertThat(TrustedKeys.verify(trusted, index, signature)).isEqualTo("publisher.pem");
        RepositoryIndex parsed = RepositoryIndex.parse(index);
        String sha = parsed.packages().get(0).files().get(0).sha256();
        assertThat(repo.resolve("files").resolve(sha)).hasContent("a Debian package");

        index[index.length - 2] = ' ';
        assertThatThrownBy(() -> TrustedKeys.verify(trusted, index, signature))
                .hasMessageContaining("not by any of the 1 trusted keys");
    }
}
