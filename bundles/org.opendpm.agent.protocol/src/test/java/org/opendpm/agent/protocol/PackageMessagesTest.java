package org.opendpm.agent.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.Test;
import org.opendpm.agent.protocol.Message.PackageInstall;
import org.opendpm.agent.protocol.Message.PackageResult;
import org.opendpm.agent.protocol.Message.PackageStage;
import org.opendpm.agent.protocol.Message.PackageStaged;
import org.opendpm.agent.protocol.ProtocolException.Reason;

/**
 * The package messages (PKG-2): their golden vectors are checked with every other message's by
 * {@link GoldenVectorTest}; here the frames that must be refused, each with its error.
 */
public class PackageMessagesTest {

    private static final String FOLDER = "/var/lib/opendpm-agent/packages/p-30-1";

    static Map<String, Message> goodVectors() {
        Map<String, Message> m = new LinkedHashMap<>();
        m.put("package-stage", new PackageStage(30, "hello-odpm 1.0"));
        m.put("package-staged", new PackageStaged(30, FOLDER));
        m.put("package-install", new PackageInstall(31, FOLDER, PackageInstall.DEB,
                List.of("libhello_1.0_all.deb", "hello_1.0_all.deb"), Optional.empty(), 1800));
        m.put("package-install-script", new PackageInstall(32, "/var/lib/opendpm-agent/packages/p-30-2",
                PackageInstall.SCRIPT, List.of("install.sh", "app.tar"), Optional.of("sh install.sh --quiet"), 600));
        m.put("package-result", new PackageResult(31, 0, "Setting up hello (1.0) ...\n", 1234));
        return m;
    }

    private static byte[] vector(String name) throws IOException {
        try (InputStream in = PackageMessagesTest.class.getResourceAsStream("/vectors/bad/" + name + ".frame")) {
            assertThat(in).as(name).isNotNull();
            return in.readAllBytes();
        }
    }

    private static void refused(String name, String member, String message) throws IOException {
        byte[] bytes = vector(name);
        assertThatThrownBy(() -> FrameCodec.read(new ByteArrayInputStream(bytes), FrameCodec.MAX_BEFORE_HELLO))
                .as(name).isInstanceOfSatisfying(ProtocolException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.BAD_MEMBER);
                    assertThat(e.member()).contains(member);
                    assertThat(e.getMessage()).contains(message);
                    // The agent answers a request it cannot read with an error and keeps the link.
                    assertThat(e.requestId()).isPresent();
                });
    }

    @Test
    public void badInstallsAreRefusedNamingTheMember() throws IOException {
        refused("package-install-unknown-installer", "installer",
                "'packageInstall' member 'installer' 'msi' is not one of deb, rpm, script");
        refused("package-install-no-files", "files", "'packageInstall' member 'files' is empty");
        refused("package-install-too-many-files", "files",
                "'packageInstall' member 'files' has 65 elements, more than 64");
        refused("package-install-script-no-command", "command",
                "'packageInstall' member 'command' is missing for a script");
        refused("package-install-deb-with-command", "command",
                "'packageInstall' member 'command' is given for installer deb");
        refused("package-install-timeout", "timeoutSeconds",
                "'packageInstall' member 'timeoutSeconds' 0 is outside 1..86400");
    }

    @Test
    public void anOutputTailLongerThan4KiBIsRefused() throws IOException {
        refused("package-result-long-output", "output", "'packageResult' member 'output' has 4097 characters");
    }

    @Test
    public void recordsRefuseWhatTheCodecRefuses() {
        assertThatThrownBy(() -> new PackageInstall(1, FOLDER, "msi", List.of("a"), Optional.empty(), 60))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PackageInstall(1, FOLDER, PackageInstall.SCRIPT, List.of("a"),
                Optional.empty(), 60)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PackageResult(1, 0, "x".repeat(4097), 0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
