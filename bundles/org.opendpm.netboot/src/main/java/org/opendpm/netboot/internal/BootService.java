package org.opendpm.netboot.internal;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Pattern;

import org.opendpm.api.agent.AgentLink;
import org.opendpm.api.agent.AgentLinkStatus;
import org.opendpm.api.boot.BootIntentService;
import org.opendpm.api.boot.DeployOsSessions;
import org.opendpm.api.boot.BootStatus;
import org.opendpm.api.boot.MachineBootIntent;
import org.opendpm.api.boot.NetworkBootListener;
import org.opendpm.api.boot.NextBoot;
import org.opendpm.api.inventory.BootDecision;
import org.opendpm.api.inventory.InventoryService;
import org.opendpm.api.inventory.Machine;
import org.opendpm.api.inventory.SeenResult;
import org.opendpm.api.plugin.PluginRegistry;
import org.opendpm.api.settings.ServerSettings;
import org.opendpm.api.settings.ServerSettingsService;
import org.opendpm.netboot.internal.tftp.FileJail;
import org.opendpm.netboot.internal.tftp.GeneratedFileSource;
import org.opendpm.netboot.internal.url.BootAddress;
import org.opendpm.netboot.internal.url.BootAddresses;
import org.opendpm.spi.BootClient;
import org.opendpm.spi.BootIntent;
import org.opendpm.spi.BootProtocol;
import org.opendpm.spi.BootResponse;
import org.opendpm.spi.DeployOs;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * Decides what a booting client boots and keeps the files its boot protocol generated for TFTP and HTTP.
 *
 * <p>Every client is reported to the inventory ({@link InventoryService#registerSeen}, which lists unknown machines
 * under New Machine with MAC and UUID). A machine that is new by that report gets what {@code forceskip.ini} says
 * (INV-5): the registration menu, or its local disk. A managed machine boots what its next-boot intent says
 * ({@link BootIntentService}): its local disk, its Deploy-OS (resolved by {@link PluginRegistry#resolveDeployOs}: the
 * intent's own Deploy-OS or the machine's explicit one, then its model, then the server default) or an OS installer;
 * without an intent it boots its local disk. Local disk is also the answer while the inventory or the intents are
 * absent or failing, so that network boot never keeps a machine from starting its own OS.
 *
 * <p>A one-shot intent is cleared when the machine fetches (TFTP or HTTP) a file generated for it, not when it is
 * decided: a PXE client asks twice (proxyDHCP, then the boot server) and an iPXE client once more over HTTP, and each
 * of those must see the same intent. The clear names the intent's time of setting, so an intent set meanwhile stays.
 *
 * <p>The Deploy-OS gets its way back to this server on its kernel command line: {@code opendpm.server=<host>:<port>
 * opendpm.fingerprint=<sha256 hex>} of the agent link, {@code opendpm.mac=<primary MAC>} and, while one is issued,
 * {@code opendpm.token=<Deploy-OS session token>} ({@link DeployOsSessions}). The host is {@code advertisedAddress}
 * of PID {@value HttpBootServlet#PID}, else the address the boot request came in on unless that is a wildcard or
 * loopback address; without either, or without the agent link, there is no {@code opendpm.server} and the Deploy-OS
 * searches for the server (OSI-6). The token is never logged.
 *
 * <p>Inventory, intents, settings, the agent link and the sessions are optional, dynamic references: netboot runs
 * (and serves local boot) without them.
 */
@Component(service = { BootService.class, GeneratedFileSource.class }, configurationPid = HttpBootServlet.PID)
public final class BootService implements GeneratedFileSource {

    private static final Logger LOG = LoggerFactory.getLogger(BootService.class);
    /** A machine count far above the largest site's concurrent boots; each entry is a few hundred bytes. */
    private static final int MAX_GENERATED = 50_000;
    private static final Duration GENERATED_TTL = Duration.ofHours(1);
    /** A host name or an IP literal: it goes onto a kernel command line, so nothing else may. */
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.:\\[\\]-]{1,253}");

    /** The decision for one client, with what the inventory made of it. */
    public record Decision(BootClient client, BootIntent intent, Optional<SeenResult> seen, String protocol,
            BootResponse response) {
    }

    /** A one-shot intent waiting for its machine to fetch one of the files generated for it. */
    private record PendingOneShot(long machineId, Instant setAt) {
    }

    private final PluginRegistry plugins;
    private final GeneratedFiles generated;
    /** Runs the database clears of fetched one-shot intents off the TFTP event loop. */
    private final Executor clears;
    private final Map<String, PendingOneShot> pendingOneShots = new ConcurrentHashMap<>();
    private final BootAddresses bootAddresses = new BootAddresses(MAX_GENERATED);
    private final Set<String> clientsSeen = ConcurrentHashMap.newKeySet();
    private final LongAdder decisions = new LongAdder();
    private final LongAdder httpBootRequests = new LongAdder();
    private volatile InventoryService inventory;
    private volatile BootIntentService intents;
    private volatile ServerSettingsService settings;
    private volatile AgentLink agentLink;
    private volatile DeployOsSessions sessions;
    private volatile String advertisedAddress = "";
    private final List<NetworkBootListener> bootListeners = new CopyOnWriteArrayList<>();

    @Activate
    public BootService(HttpBootServlet.Config config, @Reference PluginRegistry plugins) {
        this(plugins);
        advertisedAddress(config.advertisedAddress());
    }

    /** Without configuration: the address each boot request came in on is advertised. */
    public BootService(PluginRegistry plugins) {
        this(plugins, Clock.systemUTC(),
                Executors.newSingleThreadExecutor(new DefaultThreadFactory("opendpm-boot-intent-clear", true)));
    }

    BootService(PluginRegistry plugins, Clock clock, Executor clears) {
        this.plugins = plugins;
        this.generated = new GeneratedFiles(MAX_GENERATED, GENERATED_TTL, clock);
        this.clears = clears;
    }

    @Modified
    void modified(HttpBootServlet.Config config) {
        advertisedAddress(config.advertisedAddress());
    }

    /** The host machines reach this server at, for the Deploy-OS command line; blank: the request's address. */
    void advertisedAddress(String address) {
        String a = address == null ? "" : address.strip();
        if (!a.isEmpty() && !HOST.matcher(a).matches()) {
            LOG.error("advertisedAddress '{}' of {} is not a host name or IP address; the address of each boot"
                    + " request is used instead", a.replaceAll("[^\\x20-\\x7e]", "?"), HttpBootServlet.PID);
            a = "";
        }
        advertisedAddress = a;
    }

    /** The configured host machines reach this server at (checked), or empty. */
    public String advertisedAddress() {
        return advertisedAddress;
    }

    /** The address the machine's latest network boot to this server came to, since this server started. */
    public Optional<BootAddress> latestBootAddress(long machineId) {
        return bootAddresses.latest(machineId);
    }

    @Deactivate
    void deactivate() {
        if (clears instanceof ExecutorService) {
            ((ExecutorService) clears).shutdown();
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void setInventory(InventoryService service) {
        inventory = service;
    }

    void unsetInventory(InventoryService service) {
        if (inventory == service) {
            inventory = null;
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void setIntents(BootIntentService service) {
        intents = service;
    }

    void unsetIntents(BootIntentService service) {
        if (intents == service) {
            intents = null;
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void setSettings(ServerSettingsService service) {
        settings = service;
    }

    void unsetSettings(ServerSettingsService service) {
        if (settings == service) {
            settings = null;
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void setAgentLink(AgentLink service) {
        agentLink = service;
    }

    void unsetAgentLink(AgentLink service) {
        if (agentLink == service) {
            agentLink = null;
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void setSessions(DeployOsSessions service) {
        sessions = service;
    }

    void unsetSessions(DeployOsSessions service) {
        if (sessions == service) {
            sessions = null;
        }
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void addBootListener(NetworkBootListener listener) {
        bootListeners.add(listener);
    }

    void removeBootListener(NetworkBootListener listener) {
        bootListeners.remove(listener);
    }

    /** {@link #boot(BootClient, Optional)} for a request whose local address is not known. */
    public Optional<Decision> boot(BootClient client) {
        return boot(client, Optional.empty());
    }

    /**
     * Registers the client as seen and answers with its boot protocol's response, whose generated files are kept for
     * TFTP and HTTP. Empty when no boot protocol supports the client. May block on the database: never call it on a
     * network event loop.
     *
     * @param receivedOn the server address the request came in on, the Deploy-OS's way back when no
     *            {@code advertisedAddress} is configured
     */
    public Optional<Decision> boot(BootClient client, Optional<InetAddress> receivedOn) {
        return boot(client, receivedOn, Optional.empty());
    }

    /**
     * {@link #boot(BootClient, Optional)} for an HTTP request.
     *
     * @param host the request's {@code Host} header: the address the machine itself used, recorded for
     *            {@link org.opendpm.api.boot.ServerUrls} ahead of the local address
     */
    public Optional<Decision> boot(BootClient client, Optional<InetAddress> receivedOn, Optional<String> host) {
        decisions.increment();
        if (clientsSeen.size() < BootStatus.CLIENTS_SEEN_CAP) {
            clientsSeen.add(client.mac());
        }
        List<BootProtocol> protocols = plugins.bootProtocolsFor(client);
        if (protocols.isEmpty()) {
            return Optional.empty();
        }
        Optional<SeenResult> seen = reportSeen(client);
        recordAddress(seen, receivedOn, host);
        Chosen chosen = intentFor(client, seen, receivedOn);
        BootProtocol protocol = null;
        BootResponse response = null;
        for (BootProtocol candidate : protocols) {
            Optional<BootResponse> answer = respondSafely(candidate, client, chosen.intent());
            if (answer.isPresent()) {
                protocol = candidate;
                response = answer.get();
                break;
            }
        }
        if (response == null) {
            LOG.warn("Network boot of {}: none of the {} boot protocol(s) for its firmware can carry out {}; it gets "
                    + "no answer", client.mac(), protocols.size(), chosen.intent().getClass().getSimpleName());
            return Optional.empty();
        }
        generated.putAll(response.generatedFiles());
        trackOneShot(response, chosen.stored());
        String name = protocol.getClass().getSimpleName();
        LOG.info("Network boot of {} (uuid {}, architecture {}{}): {} by {}, boot file {}", client.mac(),
                client.uuid().orElse("-"), client.architecture(), client.isIpxe() ? ", iPXE" : "",
                chosen.intent().getClass().getSimpleName(), name, response.bootFile());
        return Optional.of(new Decision(client, chosen.intent(), seen, name, response));
    }

    /** A plugin that throws is treated as declining; it must not take boot serving down. */
    private static Optional<BootResponse> respondSafely(BootProtocol protocol, BootClient client, BootIntent intent) {
        try {
            Optional<BootResponse> r = protocol.respond(client, intent);
            return r == null ? Optional.empty() : r;
        } catch (RuntimeException e) {
            LOG.error("Boot protocol {} failed to answer {}", protocol.getClass().getName(), client.mac(), e);
            return Optional.empty();
        }
    }

    /** Counts a request to the HTTP boot endpoint. */
    public void countHttpBootRequest() {
        httpBootRequests.increment();
    }

    /**
     * Counters since start.
     *
     * @param clientsSeen distinct MACs, up to {@link BootStatus#CLIENTS_SEEN_CAP}
     */
    public record Counters(long clientsSeen, long decisions, long httpBootRequests) {
    }

    public Counters counters() {
        return new Counters(clientsSeen.size(), decisions.sum(), httpBootRequests.sum());
    }

    private record Chosen(BootIntent intent, Optional<MachineBootIntent> stored) {
        static Chosen localDisk() {
            return new Chosen(new BootIntent.LocalDisk(), Optional.empty());
        }
    }

    private Optional<SeenResult> reportSeen(BootClient client) {
        InventoryService inv = inventory;
        if (inv == null) {
            LOG.debug("No inventory: {} is not registered and boots its local disk", client.mac());
            return Optional.empty();
        }
        try {
            return Optional.of(inv.registerSeen(client.mac(), client.uuid().orElse(null), Optional.empty()));
        } catch (RuntimeException e) {
            LOG.warn("Inventory could not register {} seen by network boot; it boots its local disk: {}",
                    client.mac(), e.toString());
            return Optional.empty();
        }
    }

    private void recordAddress(Optional<SeenResult> seen, Optional<InetAddress> receivedOn, Optional<String> host) {
        if (seen.isEmpty() || seen.get().outcome() != SeenResult.Outcome.KNOWN
                && seen.get().outcome() != SeenResult.Outcome.AUTO_REGISTERED) {
            return;
        }
        host.flatMap(BootAddress::fromHostHeader)
                .or(() -> receivedOn.flatMap(BootAddress::fromLocalAddress))
                .ifPresent(a -> bootAddresses.record(seen.get().id(), a));
    }

    private Chosen intentFor(BootClient client, Optional<SeenResult> seen, Optional<InetAddress> receivedOn) {
        InventoryService inv = inventory;
        if (seen.isEmpty() || inv == null) {
            return Chosen.localDisk();
        }
        SeenResult.Outcome o = seen.get().outcome();
        if (o == SeenResult.Outcome.KNOWN || o == SeenResult.Outcome.AUTO_REGISTERED) {
            tellListeners(seen.get().id(), client);
            return managedIntent(client, seen.get().id(), inv, receivedOn);
        }
        BootDecision decision;
        try {
            decision = inv.bootDecision(client.mac());
        } catch (RuntimeException e) {
            LOG.warn("forceskip decision for {} failed; it boots its local disk: {}", client.mac(), e.toString());
            return Chosen.localDisk();
        }
        if (decision == BootDecision.REGISTRATION_MENU) {
            return new Chosen(new BootIntent.RegistrationMenu(BootDecision.MESSAGE_TEXT,
                    (int) BootDecision.POWER_OFF_AFTER.toSeconds()), Optional.empty());
        }
        return Chosen.localDisk();
    }

    /** A listener that fails is logged and never changes what the machine boots. */
    private void tellListeners(long machineId, BootClient client) {
        for (NetworkBootListener l : bootListeners) {
            try {
                l.booting(machineId, client);
            } catch (RuntimeException e) {
                LOG.warn("Network boot listener {} failed for machine {}: {}", l.getClass().getName(), machineId,
                        e.toString());
            }
        }
    }

    private Chosen managedIntent(BootClient client, long machineId, InventoryService inv,
            Optional<InetAddress> receivedOn) {
        BootIntentService service = intents;
        if (service == null) {
            return Chosen.localDisk();
        }
        try {
            Optional<MachineBootIntent> stored = service.get(machineId);
            if (stored.isEmpty()) {
                return Chosen.localDisk();
            }
            NextBoot next = stored.get().intent();
            switch (next.kind()) {
            case DEPLOY_OS:
                Machine m = inv.machine(machineId);
                ServerSettingsService s = settings;
                String serverDefault = s == null ? ServerSettings.DEFAULT_DEPLOY_OS : s.get().defaultDeployOs();
                var resolution = plugins.resolveDeployOs(next.deployOs().or(m::deployOs), m.model(), serverDefault);
                LOG.debug("Deploy-OS of {} ({}): {} by rule {}", m.name(), client.mac(), resolution.deployOs().id(),
                        resolution.rule());
                DeployOs os = resolution.deployOs();
                String arguments = join(os.bootArguments(), deployOsArguments(m, receivedOn));
                return new Chosen(new BootIntent.DeployOsBoot(new DeployOs(os.id(), os.kernel(), os.initrd(),
                        arguments, os.architectures())), stored);
            case OS_INSTALLER:
                return new Chosen(new BootIntent.OsInstaller(next.kernel(), next.initrd(), next.bootArguments()),
                        stored);
            case MEMDISK_FLOPPY:
                return new Chosen(new BootIntent.MemdiskFloppy(next.kernel(), next.initrd()), stored);
            case EFI_APPLICATION:
                return new Chosen(new BootIntent.EfiApplication(next.kernel(), next.bootArguments()), stored);
            case LOCAL_DISK:
            default:
                return new Chosen(new BootIntent.LocalDisk(), stored);
            }
        } catch (RuntimeException e) {
            LOG.warn("Next-boot intent of machine {} ({}) could not be read; it boots its local disk: {}", machineId,
                    client.mac(), e.toString());
            return Chosen.localDisk();
        }
    }

    /** The Deploy-OS's way back to this server; see the class comment. Never logs the token. */
    private String deployOsArguments(Machine m, Optional<InetAddress> receivedOn) {
        StringBuilder b = new StringBuilder();
        AgentLink link = agentLink;
        AgentLinkStatus status = null;
        if (link != null) {
            try {
                status = link.status();
            } catch (RuntimeException e) {
                LOG.warn("Agent link status unavailable; the Deploy-OS of {} searches for the server: {}", m.name(),
                        e.toString());
            }
        }
        if (status != null && status.port() > 0) {
            Optional<String> host = advertisedHost(receivedOn);
            if (host.isPresent()) {
                b.append("opendpm.server=").append(host.get()).append(':').append(status.port()).append(' ');
            } else {
                LOG.warn("No address to give the Deploy-OS of {}: set advertisedAddress in {} (the request came in"
                        + " on {}); it searches for the server", m.name(), HttpBootServlet.PID,
                        receivedOn.map(InetAddress::getHostAddress).orElse("an unknown address"));
            }
            b.append("opendpm.fingerprint=").append(status.certificateFingerprint()).append(' ');
        }
        b.append("opendpm.mac=").append(m.primaryMac());
        DeployOsSessions s = sessions;
        boolean token = false;
        if (s != null) {
            try {
                Optional<String> t = s.token(m.id());
                if (t.isPresent()) {
                    b.append(" opendpm.token=").append(t.get());
                    token = true;
                }
            } catch (RuntimeException e) {
                LOG.warn("Deploy-OS session of {} unavailable; it boots without a token: {}", m.name(), e.toString());
            }
        }
        LOG.debug("Deploy-OS arguments of {}: agent link {}, token {}", m.name(),
                status == null ? "absent" : status.port(), token ? "issued" : "none");
        return b.toString();
    }

    private Optional<String> advertisedHost(Optional<InetAddress> receivedOn) {
        String configured = advertisedAddress;
        if (!configured.isEmpty()) {
            return Optional.of(configured);
        }
        return receivedOn.filter(a -> !a.isAnyLocalAddress() && !a.isLoopbackAddress())
                .map(a -> a instanceof Inet6Address
                        ? "[" + a.getHostAddress().replaceFirst("%.*", "") + "]"
                        : a.getHostAddress());
    }

    private static String join(String first, String second) {
        return first.isBlank() ? second : first.strip() + " " + second;
    }

    /**
     * Remembers which generated files carry a one-shot intent; a decision without one forgets them, so a file
     * regenerated for a later sticky intent clears nothing. A response without generated files leaves the intent in
     * place for the later step that generates one (iPXE's script over HTTP).
     */
    private void trackOneShot(BootResponse response, Optional<MachineBootIntent> stored) {
        for (String path : response.generatedFiles().keySet()) {
            String normalized;
            try {
                normalized = FileJail.normalize(path);
            } catch (FileJail.JailException e) {
                continue; // refused and logged by GeneratedFiles
            }
            if (stored.isPresent() && stored.get().intent().oneShot()) {
                if (pendingOneShots.size() < MAX_GENERATED || pendingOneShots.containsKey(normalized)) {
                    pendingOneShots.put(normalized,
                            new PendingOneShot(stored.get().machineId(), stored.get().setAt()));
                } else {
                    LOG.warn("Too many one-shot intents waiting to be fetched; machine {} keeps its intent until"
                            + " cleared", stored.get().machineId());
                }
            } else {
                pendingOneShots.remove(normalized);
            }
        }
    }

    /** A generated file by its normalised path below the boot root; fetching it consumes a one-shot intent. */
    public Optional<byte[]> generated(String normalizedPath) {
        Optional<byte[]> file = generated.get(normalizedPath);
        if (file.isPresent()) {
            consumeOneShot(normalizedPath);
        }
        return file;
    }

    @Override
    public Optional<byte[]> generate(String path, InetSocketAddress client) {
        return generated(path);
    }

    private void consumeOneShot(String normalizedPath) {
        PendingOneShot pending = pendingOneShots.remove(normalizedPath);
        BootIntentService service = intents;
        if (pending == null || service == null) {
            return;
        }
        try {
            clears.execute(() -> {
                try {
                    service.clearIfSetAt(pending.machineId(), pending.setAt());
                } catch (RuntimeException e) {
                    LOG.warn("One-shot intent of machine {} fetched but not cleared: {}", pending.machineId(),
                            e.toString());
                }
            });
        } catch (RejectedExecutionException e) {
            LOG.warn("One-shot intent of machine {} fetched while stopping; it stays until cleared",
                    pending.machineId());
        }
    }
}
