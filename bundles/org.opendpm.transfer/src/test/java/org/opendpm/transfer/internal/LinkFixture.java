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

import com.fasterxml.jackson.databind.node.ObjectNode;

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
        link = new AgentLinkService(config(config), database, inventory, dataFolder);
    }

    /** Settings for tests: loopback, ephemeral port, no discovery; {@code overrides} by attribute name. */
    static AgentLinkService.Config config(Map<String, Object> overrides) {
        Map<String, Object> values = new HashMap<>();
        values.put("address", "127.0.0.1");
        values.put("port", 0);
        values.put("discoveryPort", 0);
        values.putAll(overrides);
        return (AgentLinkService.Config) Proxy.newProxyInstance(AgentLinkService.Config.class.getClassLoader(),
                new Class<?>[] {AgentLinkService.Config.class}, (proxy, method, args) -> {
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

    static ObjectNode register(String mac, String hostName) {
        ObjectNode m = Frames.message("register");
        m.put("mac", mac);
        m.putArray("macs").add(mac);
        m.putNull("uuid");
        m.put("ip", "192.0.2.10");
        m.put("hostName", hostName);
        m.put("os", "Linux 6.1 amd64");
        m.put("agentVersion", "0.1.0");
        m.put("deployOs", false);
        return m;
    }

    static ObjectNode hello(String mac, String credential, String hostName) {
        ObjectNode m = register(mac, hostName);
        m.put("type", "hello");
        m.put("credential", credential);
        m.put("powerState", "on");
        return m;
    }

    /** Registers {@code mac} and returns the credential the server issued. */
    String registerAgent(String mac, String hostName) throws Exception {
        try (TestAgent a = connect()) {
            a.send(register(mac, hostName));
            ObjectNode answer = a.expect("registered");
            a.awaitClose(Duration.ofSeconds(5));
            return answer.get("credential").textValue();
        }
    }

    /** Registers and authenticates an agent for {@code mac}; the connection stays open. */
    TestAgent authenticatedAgent(String mac, String hostName) throws Exception {
        String credential = registerAgent(mac, hostName);
        TestAgent a = connect();
        a.send(hello(mac, credential, hostName));
        a.expect("welcome");
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
