package org.opendpm.transfer.internal;

import java.io.Closeable;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import org.apache.derby.jdbc.EmbeddedDataSource;
import org.opendpm.api.inventory.InventoryService;
import org.opendpm.api.inventory.Machine;
import org.opendpm.api.inventory.MachineSpec;
import org.opendpm.api.inventory.NetworkSetting;
import org.opendpm.inventory.internal.JdbcInventoryService;
import org.opendpm.store.Database;

import org.opendpm.agent.protocol.Message;

/**
 * The link over a fresh, migrated in-memory Derby database with the real inventory, listening on 127.0.0.1 on an
 * ephemeral port, its certificate in a temporary folder.
 */
final class LinkFixture implements Closeable {

    static {
        // The inventory reads its rule files under karaf.data; none exist in the temporary folder.
        try {
            System.setProperty("karaf.data", Files.createTempDirectory("transfer-test-data").toString());
        } catch (IOException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final String databaseName = "memory:transfer-test-" + UUID.randomUUID();
    final Database database;
    final InventoryService inventory;
    final Path dataFolder;
    final TestDeployOsSessions deployOs = new TestDeployOsSessions();
    AgentLinkService link;

    LinkFixture(Map<String, Object> config) throws IOException {
        var ds = new EmbeddedDataSource();
        ds.setDatabaseName(databaseName);
        ds.setCreateDatabase("create");
        database = Database.over(ds);
        inventory = new JdbcInventoryService(database);
        dataFolder = Files.createTempDirectory("transfer-test");
        start(config);
    }

    LinkFixture() throws IOException {
        this(Map.of());
    }

    void start(Map<String, Object> config) {
        link = new AgentLinkService(config(config), database, inventory, deployOs, dataFolder);
    }

    /** Settings for tests: loopback, ephemeral port, no discovery; {@code overrides} by attribute name. */
    static AgentLinkService.Config config(Map<String, Object> overrides) {
        Map<String, Object> values = new HashMap<>();
        values.put("address", "127.0.0.1");
        values.put("port", 0);
        values.put("discoveryPort", 0);
        values.putAll(overrides);
        return (AgentLinkService.Config) Proxy.newProxyInstance(AgentLinkService.Config.class.getClassLoader(),
                new Class<?>[]{ AgentLinkService.Config.class }, (proxy, method, args) -> {
                    if (values.containsKey(method.getName())) {
                        return values.get(method.getName());
                    }
                    if (method.getDefaultValue() != null) {
                        return method.getDefaultValue();
                    }
                    if (method.getName().equals("annotationType")) {
                        return AgentLinkService.Config.class;
                    }
                    return method.getName().equals("toString") ? "test config " + values : null;
                });
    }

    InetSocketAddress address() {
        return link.listenAddress().orElseThrow();
    }

    String fingerprint() {
        return link.fingerprint().orElseThrow();
    }

    TestAgent connect() throws Exception {
        return TestAgent.connect(address(), fingerprint());
    }

    static String mac(int n) {
        return String.format("02:00:00:00:%02x:%02x", n >> 8 & 255, n & 255);
    }

    static Message.Register register(String mac, String hostName) {
        return register(mac, hostName, Optional.empty());
    }

    static Message.Register register(String mac, String hostName, Optional<String> proposed) {
        return new Message.Register(mac, proposed, List.of(mac), Optional.empty(), Optional.of("192.0.2.10"),
                Optional.of(hostName), "Linux 6.1 amd64", "0.1.0", false, Message.PROTOCOL_VERSION);
    }

    static Message.Hello hello(String mac, String credential, String hostName) {
        return new Message.Hello(mac, Optional.of(credential), Optional.empty(), Optional.empty(),
                Optional.of("192.0.2.10"), Optional.of(hostName), "Linux 6.1 amd64", "0.1.0", false, "on",
                Message.PROTOCOL_VERSION);
    }

    static Message.Hello deployOsHello(String mac, String token) {
        return new Message.Hello(mac, Optional.empty(), Optional.of(token), Optional.empty(),
                Optional.of("192.0.2.10"), Optional.empty(), "Linux 6.1 amd64", "0.1.0", true, "on",
                Message.PROTOCOL_VERSION);
    }

    /** Registers {@code mac} and returns the credential the server issued. */
    String registerAgent(String mac, String hostName) throws Exception {
        try (TestAgent a = connect()) {
            a.send(register(mac, hostName));
            Message.Registered answer = a.expect(Message.Registered.class);
            a.awaitClose(Duration.ofSeconds(5));
            return answer.credential();
        }
    }

    /** Registers and authenticates an agent for {@code mac}; the connection stays open. */
    TestAgent authenticatedAgent(String mac, String hostName) throws Exception {
        String credential = registerAgent(mac, hostName);
        TestAgent a = connect();
        a.send(hello(mac, credential, hostName));
        a.expect(Message.Welcome.class);
        return a;
    }

    /** A managed machine in group /g with the given MAC. */
    Machine machine(String name, String mac) {
        long group = inventory.findGroup("/g").orElseGet(() -> inventory.createGroup("/g", NetworkSetting.SAME_SUBNET))
                .id();
        return inventory.createMachine(group, new MachineSpec(name, List.of(mac), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty()));
    }

    static void await(String what, Duration within, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + within + " waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    @Override
    public void close() {
        if (link != null) {
            link.deactivate();
        }
        try {
            java.sql.DriverManager.getConnection("jdbc:derby:" + databaseName + ";drop=true").close();
        } catch (java.sql.SQLException e) {
            // Derby reports a successful drop as an exception (08006)
        }
        try (Stream<Path> files = Files.walk(dataFolder)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary folder
        }
    }
}
