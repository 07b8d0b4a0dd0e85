package org.opendpm.inventory.internal.rules;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A managed machine as the CSV import and export carry it (INV-3, INV-9): everything needed to
 * register it, nothing of its run-time state.
 *
 * @param macs the NICs in their order; at least one, no repeats
 * @param primaryMac the NIC used for Wake-on-LAN and network boot, one of {@code macs}
 * @param deployOs the Deploy-OS name; empty means the server's default
 */
public record MachineEntry(GroupPath group, String name, List<MacAddress> macs, MacAddress primaryMac,
        Optional<MachineUuid> uuid, Optional<Ipv4> ip, Optional<String> model, Optional<String> deployOs) {

    /** Longest machine model or Deploy-OS name, in characters. */
    public static final int MAX_TEXT_LENGTH = 255;

    public MachineEntry {
        Objects.requireNonNull(group, "group");
        if (group.isRoot()) {
            throw new IllegalArgumentException("a machine belongs to a group, not to the root");
        }
        String nameProblem = MachineNames.problem(name);
        if (nameProblem != null) {
            throw new IllegalArgumentException(nameProblem);
        }
        macs = List.copyOf(macs);
        if (macs.isEmpty()) {
            throw new IllegalArgumentException("a machine has at least one MAC address");
        }
        Set<MacAddress> seen = new HashSet<>();
        for (MacAddress mac : macs) {
            if (!seen.add(mac)) {
                throw new IllegalArgumentException("MAC address " + mac + " is listed twice");
            }
        }
        Objects.requireNonNull(primaryMac, "primaryMac");
        if (!seen.contains(primaryMac)) {
            throw new IllegalArgumentException(
                    "primary MAC address " + primaryMac + " is not one of the machine's MACs");
        }
        Objects.requireNonNull(uuid, "uuid");
        Objects.requireNonNull(ip, "ip");
        ip.flatMap(Ipv4::hostProblem).ifPresent(p -> {
            throw new IllegalArgumentException(p + ", not a machine's address");
        });
        model = checkText(model, "machine model");
        deployOs = checkText(deployOs, "Deploy-OS");
    }

    /** A machine with one NIC and nothing optional set. */
    public static MachineEntry of(GroupPath group, String name, MacAddress mac) {
        return new MachineEntry(group, name, List.of(mac), mac, Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty());
    }

    private static Optional<String> checkText(Optional<String> value, String what) {
        Objects.requireNonNull(value, what);
        // Blank means "not set", so an empty CSV cell and an absent value are the same thing.
        return value.map(String::strip).filter(s -> !s.isEmpty()).map(s -> checkText(s, what));
    }

    /** Checks a non-blank model or Deploy-OS name; returns it or throws with the reason. */
    public static String checkText(String value, String what) {
        if (value.length() > MAX_TEXT_LENGTH) {
            throw new IllegalArgumentException(what + " is " + value.length() + " characters long; the limit is "
                    + MAX_TEXT_LENGTH);
        }
        int control = RuleText.indexOfControl(value);
        if (control >= 0) {
            throw new IllegalArgumentException(what + " contains a control character at position " + (control + 1));
        }
        return value;
    }
}
