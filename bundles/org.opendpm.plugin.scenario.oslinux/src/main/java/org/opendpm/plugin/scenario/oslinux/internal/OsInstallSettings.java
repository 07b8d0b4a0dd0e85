package org.opendpm.plugin.scenario.oslinux.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import org.opendpm.api.os.MachineInstall;
import org.opendpm.spi.SettingViolation;

/**
 * The OS tab's settings document, which is also its step's parameters: the operating system by name, the target
 * disk, the root password as SHA-512 crypt (never the clear text: {@code dpm:os-password-hash} and
 * {@code POST /operating-systems/password-hash} make one), and the network.
 */
record OsInstallSettings(String operatingSystem, String disk, String rootPasswordHash, boolean dhcp,
        Optional<String> netmask, Optional<String> gateway, Optional<String> nameserver) {

    static final String OPERATING_SYSTEM = "operatingSystem";
    static final String DISK = "disk";
    static final String ROOT_PASSWORD_HASH = "rootPasswordHash";
    static final String NETWORK = "network";
    static final String NETMASK = "netmask";
    static final String GATEWAY = "gateway";
    static final String NAMESERVER = "nameserver";
    private static final Set<String> KEYS = Set.of(OPERATING_SYSTEM, DISK, ROOT_PASSWORD_HASH, NETWORK, NETMASK,
            GATEWAY, NAMESERVER);
    static final Pattern DISK_NAME = Pattern.compile("[a-z][a-z0-9]{1,31}");
    static final Pattern CRYPT_SHA512 = Pattern.compile("\\$6\\$(rounds=[0-9]{4,9}\\$)?[./0-9A-Za-z]{1,16}"
            + "\\$[./0-9A-Za-z]{86}");
    private static final Pattern IPV4 = Pattern.compile(
            "((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])");

    static final String SCHEMA = "{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\","
            + "\"title\":\"OS\",\"description\":\"Installs a registered Linux operating system with its answer file\","
            + "\"type\":\"object\",\"additionalProperties\":false,"
            + "\"required\":[\"operatingSystem\",\"disk\",\"rootPasswordHash\"],\"properties\":{"
            + "\"operatingSystem\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":126,"
            + "\"description\":\"Name of a registered operating system\"},"
            + "\"disk\":{\"type\":\"string\",\"pattern\":\"^[a-z][a-z0-9]{1,31}$\","
            + "\"description\":\"Target disk device: sda, vda, nvme0n1\"},"
            + "\"rootPasswordHash\":{\"type\":\"string\",\"pattern\":\"^\\\\$6\\\\$\","
            + "\"description\":\"SHA-512 crypt of the root password\"},"
            + "\"network\":{\"enum\":[\"dhcp\",\"static\"],\"default\":\"dhcp\","
            + "\"description\":\"static uses the machine's IP address\"},"
            + "\"netmask\":{\"type\":\"string\",\"description\":\"static: subnet mask (else the group's)\"},"
            + "\"gateway\":{\"type\":\"string\",\"description\":\"static: default gateway (else the group's)\"},"
            + "\"nameserver\":{\"type\":\"string\",\"description\":\"static: DNS server\"}}}";

    /** Every problem of a settings document, empty when valid. */
    static List<SettingViolation> check(Map<String, ?> s) {
        List<SettingViolation> out = new ArrayList<>();
        s.keySet().stream().filter(k -> !KEYS.contains(k)).sorted()
                .forEach(k -> out.add(new SettingViolation(k, "unknown setting of the OS tab")));
        Object os = s.get(OPERATING_SYSTEM);
        if (!(os instanceof String name) || name.isBlank() || name.length() > 126) {
            out.add(new SettingViolation(OPERATING_SYSTEM, "the name of a registered operating system is required"));
        }
        if (!(s.get(DISK) instanceof String d) || !DISK_NAME.matcher(d).matches()) {
            out.add(new SettingViolation(DISK, "a disk device name such as sda, vda or nvme0n1 is required"));
        }
        if (!(s.get(ROOT_PASSWORD_HASH) instanceof String h) || !CRYPT_SHA512.matcher(h).matches()) {
            out.add(new SettingViolation(ROOT_PASSWORD_HASH, "the root password as SHA-512 crypt ($6$salt$hash) is"
                    + " required; the clear text is never stored"));
        }
        Object network = s.get(NETWORK);
        if (network != null && !"dhcp".equals(network) && !"static".equals(network)) {
            out.add(new SettingViolation(NETWORK, "dhcp or static"));
        }
        for (String k : List.of(NETMASK, GATEWAY, NAMESERVER)) {
            Object v = s.get(k);
            if (v != null && !(v instanceof String a && IPV4.matcher(a).matches())) {
                out.add(new SettingViolation(k, "a dotted IPv4 address"));
            }
        }
        return out;
    }

    /** Settings already checked, from the tab's document or the step's parameters. */
    static OsInstallSettings of(Map<String, ?> s) {
        return new OsInstallSettings((String) s.get(OPERATING_SYSTEM), (String) s.get(DISK),
                (String) s.get(ROOT_PASSWORD_HASH), !"static".equals(s.get(NETWORK)), opt(s, NETMASK),
                opt(s, GATEWAY), opt(s, NAMESERVER));
    }

    private static Optional<String> opt(Map<String, ?> s, String key) {
        return s.get(key) instanceof String v && !v.isEmpty() ? Optional.of(v) : Optional.empty();
    }

    /** As step parameters (strings only). */
    Map<String, String> parameters() {
        Map<String, String> p = new java.util.HashMap<>();
        p.put(OPERATING_SYSTEM, operatingSystem);
        p.put(DISK, disk);
        p.put(ROOT_PASSWORD_HASH, rootPasswordHash);
        p.put(NETWORK, dhcp ? "dhcp" : "static");
        netmask.ifPresent(v -> p.put(NETMASK, v));
        gateway.ifPresent(v -> p.put(GATEWAY, v));
        nameserver.ifPresent(v -> p.put(NAMESERVER, v));
        return p;
    }

    /** The network for the answer file; a static one falls back to the group's mask and gateway. */
    MachineInstall.Network network(Optional<String> groupNetmask, Optional<String> groupGateway) {
        if (dhcp) {
            return MachineInstall.Network.DHCP;
        }
        return new MachineInstall.Network(false, netmask.or(() -> groupNetmask), gateway.or(() -> groupGateway),
                nameserver);
    }
}
