package org.opendpm.inventory.internal;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import org.opendpm.api.ConflictException;
import org.opendpm.api.NotFoundException;
import org.opendpm.api.ValidationException;
import org.opendpm.api.inventory.BootDecision;
import org.opendpm.api.inventory.DiskInfo;
import org.opendpm.api.inventory.FileProblem;
import org.opendpm.api.inventory.GroupNode;
import org.opendpm.api.inventory.ImportResult;
import org.opendpm.api.inventory.InvalidFileException;
import org.opendpm.api.inventory.InventoryService;
import org.opendpm.api.inventory.Machine;
import org.opendpm.api.inventory.MachineDisks;
import org.opendpm.api.inventory.MachineGroup;
import org.opendpm.api.inventory.MachinePage;
import org.opendpm.api.inventory.MachineQuery;
import org.opendpm.api.inventory.MachineSpec;
import org.opendpm.api.inventory.MachineStatus;
import org.opendpm.api.inventory.NetworkSetting;
import org.opendpm.api.inventory.NewMachine;
import org.opendpm.api.inventory.NewMachineRegistration;
import org.opendpm.api.inventory.PowerState;
import org.opendpm.api.inventory.RuleFile;
import org.opendpm.api.inventory.RuleFileSaved;
import org.opendpm.api.inventory.SeenBy;
import org.opendpm.api.inventory.SeenMachine;
import org.opendpm.api.inventory.SeenResult;
import org.opendpm.inventory.internal.Groups.Row;
import org.opendpm.inventory.internal.Machines.Holder;
import org.opendpm.inventory.internal.rules.AutoRegistration;
import org.opendpm.inventory.internal.rules.GroupPath;
import org.opendpm.inventory.internal.rules.Ipv4;
import org.opendpm.inventory.internal.rules.MacAddress;
import org.opendpm.inventory.internal.rules.MachineCsv;
import org.opendpm.inventory.internal.rules.MachineEntry;
import org.opendpm.inventory.internal.rules.MachineNames;
import org.opendpm.inventory.internal.rules.MachineUuid;
import org.opendpm.inventory.internal.rules.ParseResult;
import org.opendpm.store.Database;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The inventory over the OpenDPM database. Every change runs in one transaction that first takes the inventory lock
 * ({@link Sql#lock}), then checks limits and uniqueness, then writes: concurrent requests are applied one after the
 * other and a refused request leaves nothing behind. Reads take no lock.
 */
@Component(service = InventoryService.class)
public class JdbcInventoryService implements InventoryService {

    private static final Logger LOG = LoggerFactory.getLogger(JdbcInventoryService.class);

    private final Database database;
    private final RuleFiles ruleFiles;
    private final Limits limits;
    private final MachineDiskStore diskStore;

    @Activate
    public JdbcInventoryService(@Reference Database database) {
        this(database, Path.of(System.getProperty("karaf.data", "data"), "inventory"), Limits.GUIDE);
    }

    JdbcInventoryService(Database database, Path ruleDirectory, Limits limits) {
        this.database = database;
        this.ruleFiles = new RuleFiles(ruleDirectory);
        this.limits = limits;
        this.diskStore = new MachineDiskStore(database);
    }

    // ---------------------------------------------------------------- groups

    @Override
    public List<MachineGroup> groups() {
        return database.inTransaction(c -> {
            Groups.Snapshot s = Groups.load(c);
            Map<Long, Long> counts = Groups.machineCounts(c);
            return s.byId.values().stream().map(r -> Groups.toApi(r, counts.getOrDefault(r.id(), 0L))).toList();
        });
    }

    @Override
    public List<GroupNode> groupTree() {
        return database.inTransaction(c -> Groups.tree(Groups.load(c), Groups.machineCounts(c)));
    }

    @Override
    public MachineGroup group(long id) {
        return database.inTransaction(c -> Groups.toApi(Groups.byId(c, id), Groups.machineCount(c, id)));
    }

    @Override
    public Optional<MachineGroup> findGroup(String path) {
        GroupPath p;
        try {
            p = parsePath(path, "path");
        } catch (ConflictException tooDeep) {
            // Looking up is no attempt to create: a path past the layer limit simply names no group.
            return Optional.empty();
        }
        if (p.isRoot()) {
            return Optional.empty();
        }
        return database.inTransaction(c -> {
            Optional<Row> row = Groups.byPath(c, p);
            return row.isEmpty() ? Optional.<MachineGroup>empty()
                    : Optional.of(Groups.toApi(row.get(), Groups.machineCount(c, row.get().id())));
        });
    }

    /** Parses a group path; more layers than allowed is a limit (409), anything else wrong is bad input (400). */
    private GroupPath parsePath(String text, String field) {
        if (text != null) {
            long layers = java.util.Arrays.stream(text.strip().split("/")).filter(s -> !s.isBlank()).count();
            if (layers > limits.maxLayers()) {
                throw new ConflictException("Group path '" + text.strip() + "' has " + layers + " layers, past "
                        + limits.layers());
            }
        }
        try {
            return GroupPath.parse(text);
        } catch (IllegalArgumentException e) {
            throw new ValidationException(field, e.getMessage());
        }
    }

    @Override
    public MachineGroup createGroup(String pathText, NetworkSetting network) {
        GroupPath path = parsePath(pathText, "path");
        if (path.isRoot()) {
            throw new ValidationException("path", "The root '/' always exists; name a group under it, e.g. /Group1");
        }
        NetworkSetting net = Groups.validate(network, "network");
        return database.inTransaction(c -> {
            Sql.lock(c);
            if (Groups.byPath(c, path).isPresent()) {
                throw new ConflictException("Group " + path + " exists already");
            }
            GroupPath parentPath = path.parent().orElseThrow();
            Long parentId = null;
            if (!parentPath.isRoot()) {
                parentId = Groups.byPath(c, parentPath).orElseThrow(() -> new ValidationException("path",
                        "Group " + parentPath + " does not exist; create it first")).id();
            }
            if (Groups.count(c) >= limits.maxGroups()) {
                throw new ConflictException("Cannot create group " + path + ": " + limits.groups() + " is reached");
            }
            Row row = new Row(Sql.allocateIds(c, 1), parentId, path.name(), path, net);
            Groups.insert(c, List.of(row));
            return Groups.toApi(row, 0);
        });
    }

    @Override
    public MachineGroup updateGroup(long id, Optional<String> name, Optional<NetworkSetting> network) {
        Optional<NetworkSetting> net = network.map(n -> Groups.validate(n, "network"));
        return database.inTransaction(c -> {
            Sql.lock(c);
            Groups.Snapshot s = Groups.load(c);
            Row g = s.get(id);
            GroupPath newPath = g.path();
            if (name.isPresent() && !name.get().strip().equals(g.name())) {
                try {
                    newPath = g.path().parent().orElseThrow().child(name.get().strip());
                } catch (IllegalArgumentException e) {
                    throw new ValidationException("name", e.getMessage());
                }
                if (s.byPath.containsKey(newPath)) {
                    throw new ConflictException("Group " + newPath + " exists already");
                }
            }
            List<Row> changed = relocate(s, g, g.parentId(), newPath, net.orElse(g.network()));
            Groups.update(c, changed);
            return Groups.toApi(changed.get(0), Groups.machineCount(c, id));
        });
    }

    @Override
    public MachineGroup moveGroup(long id, Optional<Long> newParentId) {
        return database.inTransaction(c -> {
            Sql.lock(c);
            Groups.Snapshot s = Groups.load(c);
            Row g = s.get(id);
            GroupPath parentPath = GroupPath.ROOT;
            if (newParentId.isPresent()) {
                Row parent = s.get(newParentId.get());
                if (g.path().contains(parent.path())) {
                    throw new ValidationException("parentId", "Group " + g.path() + " cannot move into "
                            + (parent.id() == g.id() ? "itself" : "its own sub-group " + parent.path()));
                }
                parentPath = parent.path();
            }
            if (Objects.equals(newParentId.orElse(null), g.parentId())) {
                return Groups.toApi(g, Groups.machineCount(c, id));
            }
            int below = s.subtree(g).stream().mapToInt(Row::depth).max().orElse(g.depth()) - g.depth();
            if (parentPath.depth() + 1 + below > limits.maxLayers()) {
                throw new ConflictException("Cannot move group " + g.path() + " under " + parentPath + ": its deepest"
                        + " sub-group would be at layer " + (parentPath.depth() + 1 + below) + ", past "
                        + limits.layers());
            }
            GroupPath newPath;
            try {
                newPath = parentPath.child(g.name());
            } catch (IllegalArgumentException e) {
                throw new ValidationException("parentId", e.getMessage());
            }
            if (s.byPath.containsKey(newPath)) {
                throw new ConflictException("Group " + newPath + " exists already");
            }
            List<Row> changed = relocate(s, g, newParentId.orElse(null), newPath, g.network());
            Groups.update(c, changed);
            return Groups.toApi(changed.get(0), Groups.machineCount(c, id));
        });
    }

    /** The group with its new parent, path and network, and its sub-groups with their paths rewritten. */
    private List<Row> relocate(Groups.Snapshot s, Row top, Long parentId, GroupPath newTop, NetworkSetting network) {
        List<Row> result = new ArrayList<>();
        for (Row r : s.subtree(top)) {
            if (r.id() == top.id()) {
                result.add(new Row(r.id(), parentId, newTop.name(), newTop, network));
            } else {
                List<String> segments = new ArrayList<>(newTop.segments());
                segments.addAll(r.path().segments().subList(top.depth(), r.depth()));
                if (segments.size() > limits.maxLayers()) {
                    throw new ConflictException("Group " + r.path() + " would be at layer " + segments.size()
                            + ", past " + limits.layers());
                }
                result.add(new Row(r.id(), r.parentId(), r.name(), new GroupPath(segments), r.network()));
            }
        }
        return result;
    }

    @Override
    public void deleteGroup(long id, boolean recursive) {
        database.inTransaction(c -> {
            Sql.lock(c);
            Groups.Snapshot s = Groups.load(c);
            Row g = s.get(id);
            List<Row> subtree = new ArrayList<>(s.subtree(g));
            List<Long> machineIds = Machines.idsInGroups(c, subtree.stream().map(Row::id).toList());
            if (!recursive && (subtree.size() > 1 || !machineIds.isEmpty())) {
                throw new ConflictException("Group " + g.path() + " is not empty: " + (subtree.size() - 1)
                        + " sub-groups and " + machineIds.size() + " machines; delete or move them first, or delete"
                        + " recursively");
            }
            Machines.delete(c, machineIds);
            subtree.sort(Comparator.comparingInt(Row::depth).reversed());
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM machine_group WHERE id = ?")) {
                for (Row r : subtree) {
                    ps.setLong(1, r.id());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            LOG.info("Deleted group {} with {} sub-groups and {} machines", g.path(), subtree.size() - 1,
                    machineIds.size());
            return null;
        });
    }

    // ---------------------------------------------------------------- machines

    @Override
    public MachinePage machines(MachineQuery q) {
        if (q.offset() < 0) {
            throw new ValidationException("offset", "offset must be 0 or more, not " + q.offset());
        }
        if (q.limit() < 1 || q.limit() > MachineQuery.MAX_LIMIT) {
            throw new ValidationException("limit", "limit must be between 1 and " + MachineQuery.MAX_LIMIT + ", not "
                    + q.limit());
        }
        return database.inTransaction(c -> {
            String groupPath = q.groupId().isPresent() ? Groups.byId(c, q.groupId().get()).path().toString() : null;
            var page = Machines.page(c, q, groupPath);
            return new MachinePage(page.getKey(), page.getValue(), q.offset(), q.limit());
        });
    }

    @Override
    public Machine machine(long id) {
        return database.inTransaction(c -> Machines.byId(c, id)
                .orElseThrow(() -> new NotFoundException("No machine with id " + id)));
    }

    @Override
    public Optional<Machine> findMachine(String name) {
        if (name == null || name.isBlank()) {
            return Optional.empty();
        }
        return database.inTransaction(c -> Machines.byName(c, name));
    }

    @Override
    public List<String> machineNames(String prefix, int limit) {
        return database.inTransaction(c -> Machines.names(c, prefix == null ? "" : prefix, Math.max(1, limit)));
    }

    @Override
    public Machine createMachine(long groupId, MachineSpec spec) {
        Objects.requireNonNull(spec, "spec");
        return database.inTransaction(c -> {
            Sql.lock(c);
            Row group = Groups.byId(c, groupId);
            MachineEntry e = entry(group.path(), spec);
            if (Machines.count(c) >= limits.maxMachines()) {
                throw new ConflictException("Cannot register machine '" + e.name() + "': " + limits.machines()
                        + " is reached");
            }
            checkFree(c, e, null);
            long id = Sql.allocateIds(c, 1);
            Machines.insert(c, List.of(new Machines.Insert(id, groupId, e)));
            NewMachines.deleteMacs(c, e.macs().stream().map(MacAddress::canonical).toList());
            return Machines.byId(c, id).orElseThrow();
        });
    }

    @Override
    public Machine updateMachine(long id, MachineSpec spec) {
        Objects.requireNonNull(spec, "spec");
        return database.inTransaction(c -> {
            Sql.lock(c);
            Machine m = Machines.byId(c, id).orElseThrow(() -> new NotFoundException("No machine with id " + id));
            MachineEntry e = entry(GroupPath.parse(m.groupPath()), spec);
            checkFree(c, e, id);
            Machines.update(c, id, e);
            NewMachines.deleteMacs(c, e.macs().stream().map(MacAddress::canonical).toList());
            return Machines.byId(c, id).orElseThrow();
        });
    }

    @Override
    public void deleteMachine(long id) {
        database.inTransaction(c -> {
            Sql.lock(c);
            if (Machines.delete(c, List.of(id)) == 0) {
                throw new NotFoundException("No machine with id " + id);
            }
            return null;
        });
    }

    @Override
    public int moveMachines(List<Long> machineIds, long groupId) {
        if (machineIds == null || machineIds.isEmpty()) {
            throw new ValidationException("machineIds", "Name at least one machine to move");
        }
        List<Long> ids = List.copyOf(new LinkedHashSet<>(machineIds));
        return database.inTransaction(c -> {
            Sql.lock(c);
            Groups.byId(c, groupId);
            List<Long> existing = Machines.existing(c, ids);
            if (existing.size() != ids.size()) {
                List<Long> missing = new ArrayList<>(ids);
                missing.removeAll(existing);
                throw new NotFoundException("No machine with id " + missing.stream().limit(10).map(String::valueOf)
                        .reduce((a, b) -> a + ", " + b).orElse("") + (missing.size() > 10 ? ", ..." : "")
                        + "; nothing was moved");
            }
            Machines.move(c, ids, groupId);
            return ids.size();
        });
    }

    @Override
    public void setPowerState(long machineId, PowerState state) {
        setColumn(machineId, "power_state", Objects.requireNonNull(state, "state").name());
    }

    @Override
    public void setStatus(long machineId, MachineStatus status) {
        setColumn(machineId, "status", Objects.requireNonNull(status, "status").name());
    }

    /** One column of one machine; no inventory lock, as no limit or uniqueness depends on it. */
    private void setColumn(long machineId, String column, String value) {
        database.inTransaction(c -> {
            if (Machines.setColumn(c, machineId, column, value) == 0) {
                throw new NotFoundException("No machine with id " + machineId);
            }
            return null;
        });
    }

    /** Checks what an administrator entered, naming the field at fault. */
    private static MachineEntry entry(GroupPath group, MachineSpec spec) {
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
        Optional<Ipv4> ip = spec.ip().filter(s -> !s.isBlank()).map(s -> parse("ip", s, JdbcInventoryService::hostIp));
        Optional<String> model = spec.model().filter(s -> !s.isBlank())
                .map(s -> parse("model", s.strip(), v -> MachineEntry.checkText(v, "machine model")));
        Optional<String> deployOs = spec.deployOs().filter(s -> !s.isBlank())
                .map(s -> parse("deployOs", s.strip(), v -> MachineEntry.checkText(v, "Deploy-OS")));
        return new MachineEntry(group, name, macs, primary, uuid, ip, model, deployOs);
    }

    private static Ipv4 hostIp(String text) {
        Ipv4 ip = Ipv4.parse(text.strip());
        ip.hostProblem().ifPresent(p -> {
            throw new IllegalArgumentException(p + ", not a machine's address");
        });
        return ip;
    }

    private static <T> T parse(String field, String text, Function<String, T> parser) {
        try {
            return parser.apply(text);
        } catch (IllegalArgumentException e) {
            throw new ValidationException(field, e.getMessage());
        }
    }

    /** Refuses a name, MAC or UUID that another machine holds, naming that machine. */
    private static void checkFree(Connection c, MachineEntry e, Long self) throws SQLException {
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

    // ---------------------------------------------------------------- disks (IMG-4)

    @Override
    public void recordDisks(long machineId, List<DiskInfo> found, Instant scannedAt) {
        diskStore.record(machineId, found, scannedAt);
    }

    @Override
    public MachineDisks disks(long machineId) {
        return diskStore.load(machineId);
    }

    // ---------------------------------------------------------------- New Machine

    @Override
    public SeenResult registerSeen(SeenMachine seen) {
        Objects.requireNonNull(seen, "seen");
        MacAddress mac = parse("mac", seen.mac(), MacAddress::parse);
        Optional<MachineUuid> uuid = seen.uuid().filter(s -> !s.isBlank()).map(s -> parse("uuid", s, MachineUuid::parse));
        Optional<Ipv4> ip = seen.ip().filter(s -> !s.isBlank()).map(s -> parse("ip", s, JdbcInventoryService::hostIp));
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

    @Override
    public List<NewMachine> newMachines() {
        return database.inTransaction(NewMachines::all);
    }

    @Override
    public List<Machine> registerNewMachines(long groupId, List<NewMachineRegistration> choices) {
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
                checkFree(c, e, null);
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

    @Override
    public void deleteNewMachine(long id) {
        database.inTransaction(c -> {
            Sql.lock(c);
            if (NewMachines.delete(c, id) == 0) {
                throw new NotFoundException("No New Machine with id " + id);
            }
            return null;
        });
    }

    // ---------------------------------------------------------------- rule files

    @Override
    public BootDecision bootDecision(String mac) {
        return ruleFiles.forceSkip().decide(parse("mac", mac, MacAddress::parse));
    }

    @Override
    public Optional<String> ruleFile(RuleFile file) {
        return ruleFiles.read(Objects.requireNonNull(file, "file"));
    }

    @Override
    public RuleFileSaved saveRuleFile(RuleFile file, String content) {
        if (content == null) {
            throw new ValidationException(null, "The file's text is required");
        }
        return ruleFiles.save(Objects.requireNonNull(file, "file"), content);
    }

    // ---------------------------------------------------------------- import and export

    @Override
    public ImportResult importCsv(String content) {
        ParseResult<List<MachineCsv.Row>> parsed = MachineCsv.parse(content == null ? "" : content);
        if (parsed.hasErrors()) {
            throw new InvalidFileException("The import file", RuleFiles.problems(parsed.errors()));
        }
        List<MachineCsv.Row> rows = parsed.value();
        if (rows.isEmpty()) {
            return new ImportResult(0, 0);
        }
        return database.inTransaction(c -> {
            Sql.lock(c);
            List<FileProblem> problems = clashes(c, rows);
            if (!problems.isEmpty()) {
                throw new InvalidFileException("The import file", problems);
            }
            long count = Machines.count(c);
            if (count + rows.size() > limits.maxMachines()) {
                throw new ConflictException("Importing " + rows.size() + " machines to the " + count
                        + " registered would pass " + limits.machines() + "; nothing was imported");
            }
            Groups.Snapshot s = Groups.load(c);
            Set<GroupPath> missing = new LinkedHashSet<>();
            for (MachineCsv.Row row : rows) {
                if (row.machine().group().depth() > limits.maxLayers()) {
                    throw new ConflictException("Line " + row.line() + ": group " + row.machine().group()
                            + " would pass " + limits.layers() + "; nothing was imported");
                }
                // Outermost first, so a parent is always created before its sub-groups.
                for (GroupPath p : row.machine().group().selfAndAncestors()) {
                    if (!s.byPath.containsKey(p)) {
                        missing.add(p);
                    }
                }
            }
            if (s.byId.size() + missing.size() > limits.maxGroups()) {
                throw new ConflictException("Importing would create " + missing.size() + " groups next to the "
                        + s.byId.size() + " there are, past " + limits.groups() + "; nothing was imported");
            }
            if (!missing.isEmpty()) {
                long firstGroup = Sql.allocateIds(c, missing.size());
                List<Row> created = new ArrayList<>();
                for (GroupPath p : missing) {
                    GroupPath parent = p.parent().orElseThrow();
                    Row row = new Row(firstGroup + created.size(), parent.isRoot() ? null : s.byPath.get(parent).id(),
                            p.name(), p, NetworkSetting.SAME_SUBNET);
                    created.add(row);
                    s.add(row);
                }
                Groups.insert(c, created);
            }
            long first = Sql.allocateIds(c, rows.size());
            List<Machines.Insert> inserts = new ArrayList<>(rows.size());
            Set<String> macs = new HashSet<>();
            for (int i = 0; i < rows.size(); i++) {
                MachineEntry e = rows.get(i).machine();
                inserts.add(new Machines.Insert(first + i, s.byPath.get(e.group()).id(), e));
                e.macs().forEach(m -> macs.add(m.canonical()));
            }
            Machines.insert(c, inserts);
            NewMachines.deleteMacs(c, macs);
            LOG.info("Imported {} machines, created {} groups", rows.size(), missing.size());
            return new ImportResult(rows.size(), missing.size());
        });
    }

    /** Rows whose name, MAC or UUID a registered machine holds, or whose name another row has. */
    private static List<FileProblem> clashes(Connection c, List<MachineCsv.Row> rows) throws SQLException {
        Map<String, Holder> names = Machines.allNames(c);
        Map<String, Holder> macs = Machines.allMacs(c);
        Map<String, Holder> uuids = Machines.allUuids(c);
        Map<String, Integer> nameLines = new HashMap<>();
        List<FileProblem> problems = new ArrayList<>();
        for (MachineCsv.Row row : rows) {
            MachineEntry e = row.machine();
            String key = MachineNames.matchKey(e.name());
            Holder h = names.get(key);
            if (h != null) {
                problems.add(new FileProblem(row.line(), MachineCsv.NAME, "machine name '" + e.name()
                        + "' is already used by " + h.describe(), false));
            }
            Integer earlier = nameLines.putIfAbsent(key, row.line());
            if (earlier != null) {
                problems.add(new FileProblem(row.line(), MachineCsv.NAME, "machine name '" + e.name()
                        + "' is also on line " + earlier, false));
            }
            for (MacAddress mac : e.macs()) {
                Holder m = macs.get(mac.canonical());
                if (m != null) {
                    problems.add(new FileProblem(row.line(), MachineCsv.MACS, "MAC address " + mac
                            + " is already registered to " + m.describe(), false));
                }
            }
            Optional<MachineUuid> uuid = e.uuid().filter(u -> !u.isPlaceholder());
            if (uuid.isPresent() && uuids.containsKey(uuid.get().canonical())) {
                problems.add(new FileProblem(row.line(), MachineCsv.UUID, "UUID " + uuid.get()
                        + " is already registered to " + uuids.get(uuid.get().canonical()).describe(), false));
            }
        }
        return problems;
    }

    @Override
    public String exportCsv() {
        List<Machine> machines = database.inTransaction(Machines::all);
        List<MachineEntry> entries = new ArrayList<>(machines.size());
        for (Machine m : machines) {
            List<MacAddress> macs = m.macs().stream().map(MacAddress::parse).toList();
            entries.add(new MachineEntry(GroupPath.parse(m.groupPath()), m.name(), macs,
                    MacAddress.parse(m.primaryMac()), m.uuid().map(MachineUuid::parse), m.ip().map(Ipv4::parse),
                    m.model(), m.deployOs()));
        }
        return MachineCsv.write(entries);
    }
}
