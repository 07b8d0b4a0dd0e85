package org.opendpm.itests;

import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.CoreOptions.vmOption;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.configureConsole;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.karafDistributionConfiguration;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.keepRuntimeFolder;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.logLevel;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivilegedActionException;
import java.security.PrivilegedExceptionAction;
import java.util.ArrayList;
import java.util.List;

import javax.security.auth.Subject;

import org.apache.karaf.jaas.boot.principal.RolePrincipal;
import org.apache.karaf.jaas.boot.principal.UserPrincipal;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.api.console.SessionFactory;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.karaf.options.LogLevelOption.LogLevel;

/**
 * The Pax Exam set-up every container test shares: the real distribution, offline from the local repository, with
 * every port moved to a free one so a run never collides with a server already running here.
 */
final class Container {

    static final String HTTP_PORT = "opendpm.itest.http.port";
    static final String TFTP_PORT = "opendpm.itest.tftp.port";
    static final String AGENT_PORT = "opendpm.itest.agent.port";
    static final String AGENT_JAR = "opendpm.agent.jar";

    private Container() {
    }

    /** Options for the test JVM side; the chosen ports reach the container as system properties. */
    static Option[] options() throws IOException {
        String repo = System.getProperty("org.ops4j.pax.url.mvn.localRepository");
        String mvnCfg = "etc/org.ops4j.pax.url.mvn.cfg";
        int http = freePort();
        int tftp = freeUdpPort();
        int agentLink = freePort();
        List<Option> options = new ArrayList<>(List.of(
                karafDistributionConfiguration().frameworkUrl(new File(System.getProperty("opendpm.distribution"))
                        .toURI().toString()).name("OpenDPM").unpackDirectory(new File("target/exam"))
                        .useDeployFolder(false),
                keepRuntimeFolder(),
                configureConsole().ignoreLocalConsole(),
                logLevel(LogLevel.INFO),
                vmOption("-Djdk.util.zip.disableZip64ExtraFieldValidation=true"),
                editConfigurationFilePut(mvnCfg, "org.ops4j.pax.url.mvn.localRepository", repo),
                editConfigurationFilePut(mvnCfg, "org.ops4j.pax.url.mvn.offline", "true"),
                editConfigurationFilePut(mvnCfg, "org.ops4j.pax.url.mvn.defaultLocalRepoAsRemote", "true"),
                editConfigurationFilePut("etc/org.ops4j.pax.web.cfg", "org.osgi.service.http.port", "" + http),
                editConfigurationFilePut("etc/org.apache.karaf.shell.cfg", "sshPort", "" + freePort()),
                editConfigurationFilePut("etc/org.apache.karaf.management.cfg", "rmiRegistryPort", "" + freePort()),
                editConfigurationFilePut("etc/org.apache.karaf.management.cfg", "rmiServerPort", "" + freePort()),
                editConfigurationFilePut("etc/org.opendpm.netboot.tftp.cfg", "port", "" + tftp),
                editConfigurationFilePut("etc/org.opendpm.transfer.cfg", "address", "127.0.0.1"),
                editConfigurationFilePut("etc/org.opendpm.transfer.cfg", "port", "" + agentLink),
                editConfigurationFilePut("etc/org.opendpm.transfer.cfg", "discoveryPort", "0"),
                systemProperty(AGENT_PORT).value("" + agentLink),
                systemProperty(AGENT_JAR).value(System.getProperty(AGENT_JAR, "")),
                systemProperty(HTTP_PORT).value("" + http),
                systemProperty(TFTP_PORT).value("" + tftp)));
        return options.toArray(Option[]::new);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static int freeUdpPort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Inside the container: the REST client, once the API is up and the first admin exists. */
    static Rest rest() {
        Rest rest = new Rest(Integer.getInteger(HTTP_PORT));
        Path passwordFile = passwordFile();
        Rest.awaitMillis(90_000, () -> Files.exists(passwordFile) && rest.get("server", null, null).status() == 401,
                "REST up and first admin created");
        return rest;
    }

    /** Inside the container: the generated password of the first admin. */
    static String adminPassword() throws IOException {
        return Files.readString(passwordFile()).strip();
    }

    private static Path passwordFile() {
        return Path.of(System.getProperty("karaf.data"), "initial-admin-password");
    }

    /** Runs a shell command as an admin (Karaf's command ACLs hide guarded commands from anyone else). */
    static String shell(SessionFactory sessions, String command) throws Exception {
        var out = new ByteArrayOutputStream();
        var print = new PrintStream(out, true, StandardCharsets.UTF_8);
        Session session = sessions.create(InputStream.nullInputStream(), print, print);
        Subject subject = new Subject();
        subject.getPrincipals().add(new UserPrincipal("itest"));
        subject.getPrincipals().add(new RolePrincipal("admin"));
        subject.getPrincipals().add(new RolePrincipal("manager"));
        try {
            Subject.doAs(subject, (PrivilegedExceptionAction<Object>) () -> session.execute(command));
        } catch (PrivilegedActionException e) {
            throw e.getException();
        } finally {
            session.close();
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
