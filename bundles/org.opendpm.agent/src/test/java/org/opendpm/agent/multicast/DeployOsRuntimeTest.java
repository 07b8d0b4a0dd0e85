package org.opendpm.agent.multicast;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.Test;

/**
 * The receiver's parts that the JDK finds at run time (not seen by jdeps, which picks the Deploy-OS's modules) work in
 * a JVM limited to the modules the Deploy-OS's runtime has (deployos/build-deployos.sh, docs/architecture.md
 * "Deploy-OS").
 */
public class DeployOsRuntimeTest {

    /** The Deploy-OS runtime's modules besides what jdeps names for the agent, which java.base covers. */
    private static final String MODULES = "java.base,java.logging,jdk.crypto.ec";

    /** Run in the limited JVM. */
    public static final class Probe {
        public static void main(String[] args) {
            System.out.println("back-off " + MulticastReceiver.backOffRandom().nextInt(0, 21) + " ms");
        }
    }

    @Test
    public void theBackOffGeneratorExistsInTheDeployOsRuntime() throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--limit-modules", MODULES, "-cp", System.getProperty("java.class.path"), Probe.class.getName())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).startsWith("back-off ");
    }
}
