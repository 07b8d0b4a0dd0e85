package org.opendpm.agent;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Reads the machine's identity from the operating system; every part can be overridden on the command line. */
final class SystemIdentity {

    private static final Logger LOG = Logger.getLogger(SystemIdentity.class.getName());

    private SystemIdentity() {
    }

    static Identity read(AgentConfig config) throws IOException {
        List<String> macs = hardwareMacs();
        String mac;
        if (config.mac() != null) {
            mac = Identity.normalizeMac(config.mac());
            macs.remove(mac);
            macs.add(0, mac);
        } else if (macs.isEmpty()) {
            throw new IOException("no network interface that is up and has a hardware address was found; "
                    + "give the MAC to report with --mac");
        } else {
            mac = macs.get(0);
        }
        String uuid = config.uuid() != null ? Identity.normalizeUuid(config.uuid()) : smbiosUuid();
        String name = config.name() != null ? config.name() : hostName();
        return new Identity(mac, macs, uuid, name, Platform.osDescription(), config.deployOs());
    }

    /** Non-loopback interfaces that are up and have a 6-byte hardware address, sorted by interface name. */
    static List<String> hardwareMacs() throws IOException {
        List<NetworkInterface> nics = new ArrayList<>();
        try {
            NetworkInterface.networkInterfaces().forEach(nics::add);
        } catch (SocketException e) {
            throw new IOException("cannot list the network interfaces: " + e.getMessage(), e);
        }
        nics.sort(Comparator.comparing(NetworkInterface::getName));
        Set<String> macs = new LinkedHashSet<>();
        for (NetworkInterface nic : nics) {
            try {
                if (nic.isLoopback() || !nic.isUp() || nic.isVirtual()) {
                    continue;
                }
                byte[] hw = nic.getHardwareAddress();
                if (hw == null || hw.length != 6 || allZero(hw)) {
                    continue;
                }
                macs.add(Identity.formatMac(hw));
            } catch (SocketException e) {
                LOG.fine("Interface " + nic.getName() + " skipped: " + e.getMessage());
            }
        }
        return new ArrayList<>(macs);
    }

    private static boolean allZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    static String smbiosUuid() {
        if (Platform.isWindows()) {
            String u = parseWmicUuid(run(List.of("wmic", "csproduct", "get", "uuid")));
            if (u == null) {
                u = parseWmicUuid(run(List.of("powershell", "-NoProfile", "-NonInteractive", "-Command",
                        "(Get-CimInstance -ClassName Win32_ComputerSystemProduct).UUID")));
            }
            return u;
        }
        Path p = Path.of("/sys/class/dmi/id/product_uuid");
        try {
            return Identity.normalizeUuid(Files.readString(p, StandardCharsets.US_ASCII));
        } catch (IOException | IllegalArgumentException e) {
            // Only root may read it on most distributions; the server then knows the machine by MAC alone.
            LOG.fine("No SMBIOS UUID from " + p + ": " + e);
            return null;
        }
    }

    /** The first UUID-shaped line of {@code wmic csproduct get uuid} (a header line "UUID" comes first). */
    static String parseWmicUuid(String output) {
        if (output == null) {
            return null;
        }
        for (String line : output.split("\\R")) {
            try {
                String u = line.trim();
                if (!u.isEmpty() && !u.equalsIgnoreCase("UUID")) {
                    return Identity.normalizeUuid(u);
                }
            } catch (IllegalArgumentException e) {
                // not the UUID line
            }
        }
        return null;
    }

    private static String run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectInput(Platform.nullDevice()).start();
            byte[] out;
            try (InputStream in = p.getInputStream()) {
                out = in.readNBytes(64 * 1024);
            }
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            return new String(out, Platform.consoleCharset());
        } catch (IOException e) {
            LOG.log(Level.FINE, "Could not run " + command, e);
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    static String hostName() {
        if (Platform.isWindows()) {
            String n = System.getenv("COMPUTERNAME");
            if (n != null && !n.isBlank()) {
                return n;
            }
        } else {
            try {
                String n = Files.readString(Path.of("/proc/sys/kernel/hostname"), StandardCharsets.UTF_8).trim();
                if (!n.isEmpty()) {
                    return n;
                }
            } catch (IOException e) {
                // not Linux; ask the resolver below
            }
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            String n = System.getenv("HOSTNAME");
            return n != null && !n.isBlank() ? n : "localhost";
        }
    }
}
