package org.opendpm.plugin.scenario.oslinux.internal.answer;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import org.opendpm.api.ValidationException;
import org.opendpm.api.agent.AgentLink;
import org.opendpm.api.boot.ServerUrls;
import org.opendpm.api.inventory.InventoryService;
import org.opendpm.api.inventory.Machine;
import org.opendpm.api.os.AnswerFile;
import org.opendpm.api.os.AnswerFileService;
import org.opendpm.api.os.MachineInstall;
import org.opendpm.api.os.OperatingSystem;
import org.opendpm.api.os.OperatingSystemService;
import org.opendpm.api.os.OsType;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answer files (OSI-2) from the templates of {@link Templates}, with each machine's inventory data. The model is
 * documented in {@code docs/os-installation.md}; keep the two together.
 */
@Component(service = { AnswerFileService.class, AnswerFiles.class }, configurationPid = AnswerFiles.PID)
@Designate(ocd = AnswerFiles.Config.class)
public class AnswerFiles implements AnswerFileService {

    public static final String PID = "org.opendpm.osinstall";
    private static final Logger LOG = LoggerFactory.getLogger(AnswerFiles.class);
    /** Most machines one batch renders. */
    public static final int MAX_BATCH = 10_000;
    private static final Pattern DISK = Pattern.compile("[a-z][a-z0-9]{1,31}");
    private static final Pattern CRYPT_SHA512 = Pattern.compile("\\$6\\$(rounds=[0-9]{4,9}\\$)?[./0-9A-Za-z]{1,16}"
            + "\\$[./0-9A-Za-z]{86}");
    private static final Pattern IPV4 = Pattern.compile(
            "((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])");

    @ObjectClassDefinition(name = "OpenDPM OS installation",
            description = "Answer file templates and the address installers reach this server at")
    public @interface Config {
        @AttributeDefinition(name = "Server URL", description = "http://HOST:PORT installers reach this server's"
                + " HTTP at (answer files, installation sources, the built call), when it differs from what network"
                + " boot finds (NAT, a reverse proxy); empty = the address the machine's network boot came to, see"
                + " docs/os-installation.md")
        String serverUrl() default "";

        @AttributeDefinition(name = "Template folder", description = "Where the answer file templates are;"
                + " the shipped ones are copied there when missing, and edits are kept")
        String templateFolder() default "${karaf.etc}/opendpm/templates";
    }

    private final Templates templates;
    private final Optional<String> serverUrl;
    private final OperatingSystemService systems;
    private final InventoryService inventory;
    private final AgentLink agentLink;
    private final ServerUrls serverUrls;

    @Activate
    public AnswerFiles(Config config, @Reference OperatingSystemService systems,
            @Reference InventoryService inventory,
            @Reference(cardinality = ReferenceCardinality.OPTIONAL,
                    policyOption = ReferencePolicyOption.GREEDY) AgentLink agentLink,
            @Reference(cardinality = ReferenceCardinality.OPTIONAL,
                    policyOption = ReferencePolicyOption.GREEDY) ServerUrls serverUrls)
            throws IOException {
        this(new Templates(Path.of(config.templateFolder().replace("${karaf.etc}",
                System.getProperty("karaf.etc", "etc")))), config.serverUrl(), systems, inventory, agentLink,
                serverUrls);
        templates.installDefaults();
    }

    /**
     * @param serverUrls what network boot knows of the way each machine reaches this server; null without network
     *            boot (answer files are then rendered for offline use only, unless serverUrl is set)
     */
    public AnswerFiles(Templates templates, String serverUrl, OperatingSystemService systems,
            InventoryService inventory, AgentLink agentLink, ServerUrls serverUrls) {
        this.templates = templates;
        this.serverUrl = serverUrl(serverUrl);
        this.systems = systems;
        this.inventory = inventory;
        this.agentLink = agentLink;
        this.serverUrls = serverUrls;
    }

    private static Optional<String> serverUrl(String configured) {
        String url = configured == null ? "" : configured.strip();
        if (url.isEmpty()) {
            return Optional.empty();
        }
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("serverUrl " + url + " is not a URL");
        }
        if (!"http".equals(uri.getScheme()) || uri.getHost() == null || uri.getRawPath() != null
                && !uri.getRawPath().isEmpty() && !uri.getRawPath().equals("/")) {
            throw new IllegalArgumentException("serverUrl must be http://HOST[:PORT], not " + url);
        }
        return Optional.of(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
    }

    /**
     * The URL the machine's installer reaches this server by, without a trailing slash: {@code serverUrl} when set
     * (NAT, a reverse proxy), else what network boot knows ({@link ServerUrls}). Fails naming the settings when
     * neither gives one.
     */
    public String requireServerUrl(long machineId) {
        if (serverUrl.isPresent()) {
            return serverUrl.get();
        }
        if (serverUrls == null) {
            throw new ValidationException("serverUrl", "Network boot is not installed, so the address installers"
                    + " reach this server at is not known: set serverUrl (http://HOST:PORT) in etc/" + PID + ".cfg");
        }
        try {
            return serverUrls.httpBase(machineId);
        } catch (ValidationException e) {
            throw new ValidationException(e.field(), e.getMessage() + " (or serverUrl in etc/" + PID + ".cfg)");
        }
    }

    /** As {@link #requireServerUrl}, or a placeholder host for files rendered to be checked or written offline. */
    private String serverUrlOrPlaceholder(long machineId) {
        try {
            return requireServerUrl(machineId);
        } catch (ValidationException e) {
            return "http://server.invalid";
        }
    }

    @Override
    public Path templateFolder() {
        return templates.folder();
    }

    @Override
    public void checkTemplate(OsType type) {
        OperatingSystem sample = new OperatingSystem(0, "Sample-OS", type, "pxelinux/sample/linux",
                "pxelinux/sample/initrd", "sample", java.time.Instant.EPOCH);
        Machine machine = new Machine(0, "sample", 0, "/Sample", List.of("52:54:00:00:00:01"), "52:54:00:00:00:01",
                Optional.empty(), Optional.of("192.0.2.10"), Optional.empty(), Optional.empty(),
                org.opendpm.api.inventory.PowerState.UNKNOWN, org.opendpm.api.inventory.MachineStatus.NONE);
        String hash = "$6$saltsaltsaltsalt$" + "a".repeat(86);
        // Both branches of a template's network part, with and without the built call, so a typo hides in none.
        templates.render(type, model(sample, machine, new MachineInstall(0, "sda", hash, MachineInstall.Network.DHCP,
                Optional.of("http://192.0.2.1:8181/opendpm/os/built/token"))));
        templates.render(type, model(sample, machine, new MachineInstall(0, "sda", hash,
                new MachineInstall.Network(false, Optional.of("255.255.255.0"), Optional.of("192.0.2.1"),
                        Optional.of("192.0.2.53")),
                Optional.empty())));
    }

    @Override
    public AnswerFile render(long operatingSystemId, MachineInstall machine) {
        return render(operatingSystemId, List.of(machine)).get(0);
    }

    @Override
    public List<AnswerFile> render(long operatingSystemId, List<MachineInstall> machines) {
        if (machines == null || machines.isEmpty()) {
            throw new ValidationException("machines", "At least one machine is required");
        }
        if (machines.size() > MAX_BATCH) {
            throw new ValidationException("machines", "At most " + MAX_BATCH + " machines at once, not "
                    + machines.size());
        }
        OperatingSystem os = systems.get(operatingSystemId);
        List<AnswerFile> out = new ArrayList<>(machines.size());
        for (MachineInstall m : machines) {
            Machine machine = inventory.machine(m.machineId());
            String content = templates.render(os.type(), model(os, machine, m));
            out.add(new AnswerFile(machine.name(), os.type().answerFileName(), mediaType(os.type()), content));
        }
        return out;
    }

    @Override
    public List<Path> write(long operatingSystemId, List<MachineInstall> machines, Path folder) {
        List<AnswerFile> files = render(operatingSystemId, machines);
        List<Path> written = new ArrayList<>(files.size());
        try {
            Path root = Files.createDirectories(folder);
            for (AnswerFile f : files) {
                // Machine names may hold characters a file name cannot; those become '_'.
                Path dir = Files.createDirectories(root.resolve(f.machineName().replaceAll("[^A-Za-z0-9._-]", "_")));
                Path target = dir.resolve(f.fileName());
                Path tmp = Files.createTempFile(dir, "." + f.fileName(), ".partial");
                try {
                    Files.writeString(tmp, f.content(), StandardCharsets.UTF_8);
                    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } finally {
                    Files.deleteIfExists(tmp);
                }
                written.add(target);
            }
        } catch (IOException e) {
            throw new ValidationException("folder", "Cannot write answer files into " + folder + ": " + e);
        }
        LOG.info("Wrote {} answer files into {}", written.size(), folder);
        return written;
    }

    static String mediaType(OsType type) {
        return type.format() == org.opendpm.api.os.AnswerFormat.AUTOINSTALL
                ? "text/yaml; charset=utf-8"
                : "text/plain; charset=utf-8";
    }

    /** The variables a template sees (docs/os-installation.md). */
    Map<String, Object> model(OperatingSystem os, Machine machine, MachineInstall m) {
        if (!DISK.matcher(m.disk()).matches()) {
            throw new ValidationException("disk", "A disk is a device name such as sda, vda or nvme0n1");
        }
        if (!CRYPT_SHA512.matcher(m.rootPasswordHash()).matches()) {
            throw new ValidationException("rootPasswordHash", "The root password is stored as SHA-512 crypt"
                    + " ($6$salt$hash)");
        }
        String base = machine.id() > 0
                ? serverUrlOrPlaceholder(machine.id())
                : serverUrl.orElse("http://server.invalid");
        Map<String, Object> machineVars = new LinkedHashMap<>();
        machineVars.put("name", machine.name());
        machineVars.put("hostname", hostname(machine.name()));
        machineVars.put("mac", machine.primaryMac());
        machine.ip().ifPresent(ip -> machineVars.put("ip", ip));

        Map<String, Object> network = new LinkedHashMap<>();
        network.put("dhcp", m.network().dhcp());
        if (!m.network().dhcp()) {
            String address = machine.ip().orElseThrow(() -> new ValidationException("network", "Machine "
                    + machine.name() + " has no IP address for a static network setting"));
            network.put("address", address);
            network.put("netmask", ipv4("netmask", m.network().netmask()));
            network.put("prefix", prefix(ipv4("netmask", m.network().netmask())));
            network.put("gateway", ipv4("gateway", m.network().gateway()));
            network.put("nameserver", ipv4("nameserver", m.network().nameserver()));
        }

        Map<String, Object> osVars = new LinkedHashMap<>();
        osVars.put("name", os.name());
        osVars.put("type", os.type().key());
        osVars.put("sourceUrl",
                base + org.opendpm.plugin.scenario.oslinux.internal.http.OsHttpServlet.SOURCE_PATH + os.name() + "/");

        String host = URI.create(base).getHost();
        Map<String, Object> agent = new LinkedHashMap<>();
        agent.put("jarUrl", base + "/opendpm/boot/agent/opendpm-agent.jar");
        int port = agentLink == null ? 0 : agentLink.status().port();
        agent.put("server", port > 0 ? host + ":" + port : host);
        agent.put("fingerprint", agentLink == null ? "" : agentLink.status().certificateFingerprint());

        Map<String, Object> model = new LinkedHashMap<>();
        model.put("machine", machineVars);
        model.put("network", network);
        model.put("disk", m.disk());
        model.put("rootPasswordHash", m.rootPasswordHash());
        model.put("os", osVars);
        model.put("server", Map.of("url", base));
        model.put("agent", agent);
        m.builtUrl().ifPresent(u -> model.put("builtUrl", u));
        return model;
    }

    /** A host name from a machine name: lower case, letters, digits and '-', at most 63 characters. */
    static String hostname(String name) {
        String h = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-").replaceAll("^-+|-+$", "");
        if (h.length() > 63) {
            h = h.substring(0, 63).replaceAll("-+$", "");
        }
        return h.isEmpty() ? "machine" : h;
    }

    private static String ipv4(String field, Optional<String> value) {
        String v = value.orElseThrow(() -> new ValidationException("network." + field, "A static network setting"
                + " needs " + field));
        if (!IPV4.matcher(v).matches()) {
            throw new ValidationException("network." + field, field + " is a dotted IPv4 address");
        }
        return v;
    }

    private static int prefix(String mask) {
        long bits = 0;
        for (String part : mask.split("\\.")) {
            bits = bits << 8 | Integer.parseInt(part);
        }
        int prefix = Long.bitCount(bits);
        if (bits != ((0xffffffffL << (32 - prefix)) & 0xffffffffL)) {
            throw new ValidationException("network.netmask", mask + " is not a subnet mask");
        }
        return prefix;
    }
}
