package org.opendpm.inventory.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

import org.opendpm.api.ConflictException;
import org.opendpm.api.ValidationException;
import org.opendpm.api.inventory.MachineSpec;
import org.opendpm.inventory.internal.Machines.Holder;
import org.opendpm.inventory.internal.rules.GroupPath;
import org.opendpm.inventory.internal.rules.Ipv4;
import org.opendpm.inventory.internal.rules.MacAddress;
import org.opendpm.inventory.internal.rules.MachineEntry;
import org.opendpm.inventory.internal.rules.MachineNames;
import org.opendpm.inventory.internal.rules.MachineUuid;

/** The checks of a machine's fields shared by registration by hand and of New Machines, so both refuse alike. */
final class MachineChecks {

    private MachineChecks() {
    }

    /** Checks what an administrator entered, naming the field at fault. */
    static MachineEntry entry(GroupPath group, MachineSpec spec) {
        String name = spec.name() == null ? null : spec.name().strip();
        String nameProblem = MachineNames.problem(name);
        if (nameProblem != null) {
            throw new ValidationException("name", nameProblem);
        }
        if (spec.macs().isEmpty()) {
            throw new ValidationException("macs", "At least one MAC address is required");
        }
        List<MacAddress> macs = new ArrayList<>();
        for (int i = 0; i < spec.macs().size(); i++) {
            MacAddress mac = parse("macs[" + i + "]", spec.macs().get(i), MacAddress::parse);
            if (macs.contains(mac)) {
                throw new ValidationException("macs[" + i + "]", "MAC address " + mac + " is listed twice");
            }
            macs.add(mac);
        }
        MacAddress primary = spec.primaryMac().filter(s -> !s.isBlank())
                .map(s -> parse("primaryMac", s, MacAddress::parse)).orElse(macs.get(0));
        if (!macs.contains(primary)) {
            throw new ValidationException("primaryMac", "Primary MAC address " + primary
                    + " is not one of the machine's MAC addresses");
        }
        Optional<MachineUuid> uuid = spec.uuid().filter(s -> !s.isBlank())
                .map(s -> parse("uuid", s, MachineUuid::parse));
        Optional<Ipv4> ip = spec.ip().filter(s -> !s.isBlank()).map(s -> parse("ip", s, MachineChecks::hostIp));
        Optional<String> model = spec.model().filter(s -> !s.isBlank())
                .map(s -> parse("model", s.strip(), v -> MachineEntry.checkText(v, "machine model")));
        Optional<String> deployOs = spec.deployOs().filter(s -> !s.isBlank())
                .map(s -> parse("deployOs", s.strip(), v -> MachineEntry.checkText(v, "Deploy-OS")));
        return new MachineEntry(group, name, macs, primary, uuid, ip, model, deployOs);
    }

    /** A machine's own IPv4 address: not a network, broadcast or reserved address. */
    static Ipv4 hostIp(String text) {
        Ipv4 ip = Ipv4.parse(text.strip());
        ip.hostProblem().ifPresent(p -> {
            throw new IllegalArgumentException(p + ", not a machine's address");
        });
        return ip;
    }

    /** Parses one field, turning a parser's refusal into a validation error naming the field. */
    static <T> T parse(String field, String text, Function<String, T> parser) {
        try {
            return parser.apply(text);
        } catch (IllegalArgumentException e) {
            throw new ValidationException(field, e.getMessage());
        }
    }

    /** Refuses a name, MAC or UUID that another machine holds, naming that machine. */
    static void checkFree(Connection c, MachineEntry e, Long self) throws SQLException {
        Optional<Holder> name = Machines.nameHolder(c, e.name()).filter(h -> self == null || h.id() != self);
        if (name.isPresent()) {
            throw new ConflictException("Machine name '" + e.name() + "' is already used by " + name.get().describe());
        }
        for (MacAddress mac : e.macs()) {
            Optional<Holder> h = Machines.macHolder(c, mac).filter(x -> self == null || x.id() != self);
            if (h.isPresent()) {
                throw new ConflictException("MAC address " + mac + " is already registered to " + h.get().describe());
            }
        }
        if (e.uuid().isPresent()) {
            Optional<Holder> h = Machines.uuidHolder(c, e.uuid().get()).filter(x -> self == null || x.id() != self);
            if (h.isPresent()) {
                throw new ConflictException("UUID " + e.uuid().get() + " is already registered to "
                        + h.get().describe());
            }
        }
    }
}
