package org.opendpm.inventory.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import org.opendpm.api.ConflictException;
import org.opendpm.api.NotFoundException;
import org.opendpm.api.ValidationException;
import org.opendpm.api.inventory.Machine;
import org.opendpm.api.inventory.NewMachine;
import org.opendpm.api.inventory.NewMachineRegistration;
import org.opendpm.api.inventory.SeenBy;
import org.opendpm.api.inventory.SeenMachine;
import org.opendpm.api.inventory.SeenResult;
import org.opendpm.inventory.internal.Groups.Row;
import org.opendpm.inventory.internal.Machines.Holder;
import org.opendpm.inventory.internal.rules.AutoRegistration;
import org.opendpm.inventory.internal.rules.GroupPath;
import org.opendpm.inventory.internal.rules.Ipv4;
import org.opendpm.inventory.internal.rules.MacAddress;
import org.opendpm.inventory.internal.rules.MachineEntry;
import org.opendpm.inventory.internal.rules.MachineNames;
import org.opendpm.inventory.internal.rules.MachineUuid;
import org.opendpm.store.Database;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * New Machines (INV-4): recording the machines seen by network boot or the agent, registering them by the rule files
 * or by an administrator's choice. Kept apart from the service so the rules of registration read in one place.
 */
final class NewMachineRegistrar {

    // The service's category, so the inventory's log lines are configured together.
    private static final Logger LOG = LoggerFactory.getLogger(JdbcInventoryService.class);

    private final Database database;
    private final RuleFiles ruleFiles;
    private final Limits limits;

    NewMachineRegistrar(Database database, RuleFiles ruleFiles, Limits limits) {
        this.database = database;
        this.ruleFiles = ruleFiles;
        this.limits = limits;
    }

    SeenResult registerSeen(SeenMachine seen) {
        Objects.requireNonNull(seen, "seen");
        MacAddress mac = MachineChecks.parse("mac", seen.mac(), MacAddress::parse);
        Optional<MachineUuid> uuid = seen.uuid().filter(s -> !s.isBlank())
                .map(s -> MachineChecks.parse("uuid", s, MachineUuid::parse));
        Optional<Ipv4> ip = seen.ip().filter(s -> !s.isBlank())
                .map(s -> MachineChecks.parse("ip", s, MachineChecks::hostIp));
        Optional<String> name = seen.name().map(String::strip).filter(s -> !s.isEmpty());
        if (name.isPresent() && MachineNames.problem(name.get()) != null) {
            throw new ValidationException("name", MachineNames.problem(name.get()));
        }
        // The rule files are read outside the transaction: a slow disk must not hold the inventory lock.
        Optional<AutoRegistration.Destination> destination = seen.seenBy() == SeenBy.AGENT
                ? new AutoRegistration(ruleFiles.groupAsName(), ruleFiles.groupAsIp()).resolve(name.orElse(null), ip)
                : Optional.empty();
        Optional<String> uuidText = uuid.map(MachineUuid::canonical);
        Optional<String> ipText = ip.map(Ipv4::toString);
        return database.inTransaction(c -> {
            Sql.lock(c);
            Optional<Holder> known = Machines.macHolder(c, mac);
            if (known.isEmpty() && uuid.isPresent()) {
                known = Machines.uuidHolder(c, uuid.get());
            }
            if (known.isPresent()) {
                if (ip.isPresent()) {
                    Machines.setIp(c, known.get().id(), ip.get());
                }
                return new SeenResult(SeenResult.Outcome.KNOWN, known.get().id());
            }
            Optional<NewMachine> listed = NewMachines.byMac(c, mac.canonical());
            if (destination.isPresent()) {
                String machineName = name.orElse(mac.toHyphenUpper());
                String refusal = autoRegistrationRefusal(c, destination.get(), machineName);
                if (refusal == null) {
                    long id = autoRegister(c, destination.get(), new MachineEntry(destination.get().group(),
                            machineName, List.of(mac), mac, uuid, ip, Optional.empty(), Optional.empty()));
                    if (listed.isPresent()) {
                        NewMachines.delete(c, listed.get().id());
                    }
                    LOG.info("Machine {} ({}) registered to {} by {} line {}", machineName, mac,
                            destination.get().group(), destination.get().source(), destination.get().line());
                    return new SeenResult(SeenResult.Outcome.AUTO_REGISTERED, id);
                }
                LOG.warn("Machine {} ({}) stays under New Machine: {} line {} names {}, but {}", machineName, mac,
                        destination.get().source(), destination.get().line(), destination.get().group(), refusal);
            }
            if (listed.isPresent()) {
                NewMachines.update(c, listed.get().id(), uuidText, ipText, name, seen.seenBy());
                return new SeenResult(SeenResult.Outcome.NEW_MACHINE_UPDATED, listed.get().id());
            }
            long id = Sql.allocateIds(c, 1);
            NewMachines.insert(c, id, mac.canonical(), uuidText, ipText, name, seen.seenBy());
            return new SeenResult(SeenResult.Outcome.NEW_MACHINE, id);
        });
    }

    /** Why the machine cannot be registered where the rule file says, or {@code null} if it can. */
    private String autoRegistrationRefusal(Connection c, AutoRegistration.Destination d, String machineName)
            throws SQLException {
        if (d.group().depth() > limits.maxLayers()) {
            return "group " + d.group() + " would pass " + limits.layers();
        }
        Groups.Snapshot s = Groups.load(c);
        int missing = d.groupsToCreate(s.byPath::containsKey).size();
        if (s.byId.size() + missing > limits.maxGroups()) {
            return "creating " + d.group() + " would pass " + limits.groups();
        }
        if (Machines.count(c) >= limits.maxMachines()) {
            return limits.machines() + " is reached";
        }
        Optional<Holder> holder = Machines.nameHolder(c, machineName);
        if (holder.isPresent()) {
            return "the name is already used by " + holder.get().describe();
        }
        return null;
    }

    private long autoRegister(Connection c, AutoRegistration.Destination d, MachineEntry entry) throws SQLException {
        Groups.Snapshot s = Groups.load(c);
        for (AutoRegistration.GroupCreation g : d.groupsToCreate(s.byPath::containsKey)) {
            GroupPath parent = g.group().parent().orElseThrow();
            Long parentId = parent.isRoot() ? null : s.byPath.get(parent).id();
            Row row = new Row(Sql.allocateIds(c, 1), parentId, g.group().name(), g.group(), Groups.toApi(g.network()));
            Groups.insert(c, List.of(row));
            s.add(row);
        }
        long id = Sql.allocateIds(c, 1);
        Machines.insert(c, List.of(new Machines.Insert(id, s.byPath.get(d.group()).id(), entry)));
        return id;
    }

    List<NewMachine> newMachines() {
        return database.inTransaction(NewMachines::all);
    }

    List<Machine> registerNewMachines(long groupId, List<NewMachineRegistration> choices) {
        if (choices == null || choices.isEmpty()) {
            throw new ValidationException("machines", "Choose at least one New Machine to register");
        }
        return database.inTransaction(c -> {
            Sql.lock(c);
            Row group = Groups.byId(c, groupId);
            List<Machines.Insert> inserts = new ArrayList<>();
            Set<Long> chosen = new HashSet<>();
            Map<String, Integer> names = new HashMap<>();
            Map<MachineUuid, Integer> uuids = new HashMap<>();
            long first = Sql.allocateIds(c, choices.size());
            for (int i = 0; i < choices.size(); i++) {
                NewMachineRegistration choice = choices.get(i);
                String field = "machines[" + i + "]";
                if (!chosen.add(choice.newMachineId())) {
                    throw new ValidationException(field + ".id", "New Machine " + choice.newMachineId()
                            + " is chosen twice");
                }
                NewMachine nm = NewMachines.byId(c, choice.newMachineId()).orElseThrow(
                        () -> new NotFoundException("No New Machine with id " + choice.newMachineId()));
                MacAddress mac = MacAddress.parse(nm.mac());
                String name = choice.name().map(String::strip).filter(s -> !s.isEmpty()).or(nm::name)
                        .orElse(mac.toHyphenUpper());
                String problem = MachineNames.problem(name);
                if (problem != null) {
                    throw new ValidationException(field + ".name", problem);
                }
                Integer other = names.putIfAbsent(MachineNames.matchKey(name), i);
                if (other != null) {
                    throw new ConflictException("Machine name '" + name + "' is given to machines[" + other + "] and "
                            + field);
                }
                MachineEntry e = new MachineEntry(group.path(), name, List.of(mac), mac,
                        nm.uuid().map(MachineUuid::parse), nm.ip().map(Ipv4::parse), Optional.empty(),
                        Optional.empty());
                if (e.uuid().isPresent() && !e.uuid().get().isPlaceholder()) {
                    Integer same = uuids.putIfAbsent(e.uuid().get(), i);
                    if (same != null) {
                        throw new ConflictException("UUID " + e.uuid().get() + " is reported by machines[" + same
                                + "] and " + field + "; register one of them");
                    }
                }
                MachineChecks.checkFree(c, e, null);
                inserts.add(new Machines.Insert(first + i, group.id(), e));
            }
            long count = Machines.count(c);
            if (count + inserts.size() > limits.maxMachines()) {
                throw new ConflictException("Registering " + inserts.size() + " machines to the " + count
                        + " registered would pass " + limits.machines());
            }
            Machines.insert(c, inserts);
            for (Long id : chosen) {
                NewMachines.delete(c, id);
            }
            List<Machine> result = new ArrayList<>();
            for (Machines.Insert i : inserts) {
                result.add(Machines.byId(c, i.id()).orElseThrow());
            }
            return result;
        });
    }

    void deleteNewMachine(long id) {
        database.inTransaction(c -> {
            Sql.lock(c);
            if (NewMachines.delete(c, id) == 0) {
                throw new NotFoundException("No New Machine with id " + id);
            }
            return null;
        });
    }
}
