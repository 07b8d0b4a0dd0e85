package org.opendpm.netboot.internal.http;

import java.io.IOException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import org.opendpm.api.boot.BootIntentService;
import org.opendpm.api.boot.MachineBootIntent;
import org.opendpm.api.boot.NextBoot;
import org.opendpm.api.inventory.BootDecision;
import org.opendpm.api.inventory.InventoryService;
import org.opendpm.api.inventory.Machine;
import org.opendpm.api.inventory.MachineStatus;
import org.opendpm.api.inventory.PowerState;
import org.opendpm.api.inventory.SeenMachine;
import org.opendpm.api.inventory.SeenResult;
import org.opendpm.api.plugin.DeployOsMapping;
import org.opendpm.api.plugin.DeployOsResolution;
import org.opendpm.api.plugin.PluginInfo;
import org.opendpm.api.plugin.PluginRegistry;
import org.opendpm.netboot.internal.BootService;
import org.opendpm.netboot.internal.tftp.TftpServer;
import org.opendpm.netboot.internal.tftp.TftpServerConfig;
import org.opendpm.netboot.internal.tftp.TftpStats;
import org.opendpm.plugin.boot.pxebios.internal.PxeBiosBootProtocol;
import org.opendpm.plugin.boot.pxeuefi.internal.PxeUefiBootProtocol;
import org.opendpm.spi.BootClient;
import org.opendpm.spi.BootProtocol;
import org.opendpm.spi.DeployOs;
import org.opendpm.spi.PowerDriver;
import org.opendpm.spi.ScenarioType;

/**
 * The server side of a firmware interop test: {@link BootService} with the real PXE BIOS (pxelinux) and PXE UEFI
 * (GRUB) plugins, an inventory of managed machines with their next-boot intents, and our TFTP server on 127.0.0.1
 * serving a boot root plus the generated files. Every read request is recorded in order with what the server had
 * for it, so a test asserts on what the firmware asked and got.
 *
 * <p>QEMU's user network has its own DHCP server, not our proxyDHCP; the test makes the decision our PXE server
 * makes on the client's DHCP request ({@link #decide}) before the VM starts.
 */
final class PxeFirmwareFixture implements AutoCloseable {

    /** How the server answered one read request. */
    enum Answer {
        /** From memory: a file the boot protocol generated for a decision. */
        GENERATED,
        /** From the boot root on disk. */
        FILE,
        /** ERROR 1 File not found. */
        NOT_FOUND
    }

    /** One read request as the server saw it, with the normalised path. */
    record Request(String path, Answer answer) {
        @Override
        public String toString() {
            return path + " -> " + answer;
        }
    }

    private final Path root;
    private final AtomicLong ids = new AtomicLong(100);
    private final Map<String, Machine> machines = new ConcurrentHashMap<>();
    private final Map<Long, MachineBootIntent> intents = new ConcurrentHashMap<>();
    private final List<Long> clearedIntents = new CopyOnWriteArrayList<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final BootService boot;
    private final TftpServer tftp;

    /**
     * @param port the TFTP listener's port on 127.0.0.1; 0 picks a free one
     */
    PxeFirmwareFixture(Path root, int port) throws IOException {
        this.root = root;
        boot = new BootService(new Registry(new PxeBiosBootProtocol(), new PxeUefiBootProtocol()));
        bind(boot, "setInventory", InventoryService.class, inventory());
        bind(boot, "setIntents", BootIntentService.class, intentService());
        tftp = new TftpServer(TftpServerConfig.builder(root).bindAddress(InetAddress.getLoopbackAddress()).port(port)
                .build(), (path, client) -> {
                    Optional<byte[]> generated = boot.generate(path, client);
                    requests.add(new Request(path, generated.isPresent()
                            ? Answer.GENERATED
                            : Files.isRegularFile(root.resolve(path)) ? Answer.FILE : Answer.NOT_FOUND));
                    return generated;
                });
        tftp.start();
    }

    Path root() {
        return root;
    }

    int port() {
        return tftp.localAddress().getPort();
    }

    /** A managed machine with this next-boot intent. */
    void managed(String mac, NextBoot next) {
        long id = ids.incrementAndGet();
        machines.put(mac, new Machine(id, "vm-" + id, 1, "/", List.of(mac), mac, Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), PowerState.ON, MachineStatus.NONE));
        intents.put(id, new MachineBootIntent(id, next, "test", Instant.now()));
    }

    long machineId(String mac) {
        return machines.get(mac).id();
    }

    /** What our PXE server decides when this client's DHCP request arrives. */
    BootService.Decision decide(String mac, String uuid, int architecture) {
        return boot.boot(new BootClient(mac, Optional.of(uuid), architecture, Optional.empty()))
                .orElseThrow(() -> new AssertionError("no boot protocol for architecture " + architecture));
    }

    /** The generated file as the server would serve it. */
    String generated(String path) {
        return new String(boot.generated(path).orElseThrow(() -> new AssertionError("not generated: " + path)),
                java.nio.charset.StandardCharsets.UTF_8);
    }

    List<Request> requests() {
        return new ArrayList<>(requests);
    }

    boolean served(String path) {
        return requests.stream().anyMatch(r -> r.path().equals(path) && r.answer() != Answer.NOT_FOUND);
    }

    TftpStats.Snapshot stats() {
        return tftp.stats().snapshot();
    }

    /** Machine ids whose one-shot intent was cleared because the machine fetched its file. */
    List<Long> clearedIntents() {
        return clearedIntents;
    }

    @Override
    public void close() {
        tftp.stop();
    }

    /** What the server saw, for failure messages and the test log. */
    String report() {
        StringBuilder b = new StringBuilder();
        for (Request r : requests) {
            b.append("\n  RRQ ").append(r);
        }
        TftpStats.Snapshot s = stats();
        return b.append("\n  transfers completed ").append(s.completed()).append(", failed ").append(s.failed())
                .append(", errors ").append(s.errors()).toString();
    }

    /**
     * Binds a dynamic reference the way SCR does: the bind methods are package-private, for Declarative Services
     * only.
     */
    private static <T> void bind(BootService service, String method, Class<T> type, T value) {
        try {
            Method m = BootService.class.getDeclaredMethod(method, type);
            m.setAccessible(true);
            m.invoke(service, value);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("BootService has no bind method " + method + "(" + type.getSimpleName() + ")",
                    e);
        }
    }

    private InventoryService inventory() {
        InvocationHandler h = (proxy, method, args) -> {
            switch (method.getName()) {
            case "registerSeen":
                if (args.length == 1) {
                    Machine m = machines.get(((SeenMachine) args[0]).mac());
                    return m != null
                            ? new SeenResult(SeenResult.Outcome.KNOWN, m.id())
                            : new SeenResult(SeenResult.Outcome.NEW_MACHINE, ids.incrementAndGet());
                }
                return InvocationHandler.invokeDefault(proxy, method, args);
            case "machine":
                return machines.values().stream().filter(m -> m.id() == (Long) args[0]).findFirst().orElseThrow();
            case "bootDecision":
                return BootDecision.REGISTRATION_MENU;
            default:
                throw new AssertionError("not used by network boot: " + method.getName());
            }
        };
        return (InventoryService) Proxy.newProxyInstance(InventoryService.class.getClassLoader(),
                new Class<?>[]{ InventoryService.class }, h);
    }

    private BootIntentService intentService() {
        return new BootIntentService() {
            @Override
            public Optional<MachineBootIntent> get(long machineId) {
                return Optional.ofNullable(intents.get(machineId));
            }

            @Override
            public MachineBootIntent set(long machineId, NextBoot intent, String setBy) {
                MachineBootIntent i = new MachineBootIntent(machineId, intent, setBy, Instant.now());
                intents.put(machineId, i);
                return i;
            }

            @Override
            public boolean clear(long machineId) {
                return intents.remove(machineId) != null;
            }

            @Override
            public boolean clearIfSetAt(long machineId, Instant setAt) {
                MachineBootIntent i = intents.get(machineId);
                if (i == null || !i.setAt().equals(setAt)) {
                    return false;
                }
                clearedIntents.add(machineId);
                return intents.remove(machineId, i);
            }
        };
    }

    /** Boot protocols in order; a Deploy-OS resolves to its own kernel and initrd under deployos/ID/. */
    private static final class Registry implements PluginRegistry {

        private final List<BootProtocol> protocols;

        Registry(BootProtocol... protocols) {
            this.protocols = List.of(protocols);
        }

        @Override
        public List<BootProtocol> bootProtocolsFor(BootClient client) {
            return protocols.stream().filter(p -> p.supports(client)).toList();
        }

        @Override
        public DeployOsResolution resolveDeployOs(Optional<String> explicitDeployOsId, Optional<String> model,
                String serverDefaultId) {
            String id = explicitDeployOsId.orElse(serverDefaultId);
            return new DeployOsResolution(new DeployOs(id, "deployos/" + id + "/vmlinuz",
                    "deployos/" + id + "/initrd.img", "quiet opendpm.deploy=1", List.of("x86_64")),
                    explicitDeployOsId.isPresent()
                            ? DeployOsResolution.Rule.EXPLICIT
                            : DeployOsResolution.Rule.SERVER_DEFAULT);
        }

        @Override
        public List<PluginInfo> plugins() {
            return List.of();
        }

        @Override
        public List<DeployOsMapping> deployOsMappings() {
            return List.of();
        }

        @Override
        public Optional<ScenarioType> scenarioType(String key) {
            return Optional.empty();
        }

        @Override
        public Optional<PowerDriver> powerDriver(String key) {
            return Optional.empty();
        }

        @Override
        public Optional<org.opendpm.spi.StepExecutor> stepExecutor(String key) {
            return Optional.empty();
        }

        @Override
        public List<String> powerDriversFor(Optional<String> model) {
            return List.of();
        }
    }
}
