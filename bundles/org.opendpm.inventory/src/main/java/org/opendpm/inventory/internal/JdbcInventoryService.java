package org.opendpm.inventory.internal;

import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import org.opendpm.api.ConflictException;
import org.opendpm.api.NotFoundException;
import org.opendpm.api.ValidationException;
import org.opendpm.api.inventory.BootDecision;
import org.opendpm.api.inventory.DiskInfo;
import org.opendpm.api.inventory.GroupNode;
import org.opendpm.api.inventory.ImportResult;
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
import org.opendpm.api.inventory.SeenMachine;
import org.opendpm.api.inventory.SeenResult;
import org.opendpm.inventory.internal.Groups.Row;
import org.opendpm.inventory.internal.rules.GroupPath;
import org.opendpm.inventory.internal.rules.MacAddress;
import org.opendpm.inventory.internal.rules.MachineEntry;
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
    private final NewMachineRegistrar newMachines;
    private final InventoryCsv csv;

    @Activate
    public JdbcInventoryService(@Reference Database database) {
        this(database, Path.of(System.getProperty("karaf.data", "data"), "inventory"), Limits.GUIDE);
    }

    JdbcInventoryService(Database database, Path ruleDirectory, Limits limits) {
        this.database = database;
        this.ruleFiles = new RuleFiles(ruleDirectory);
        this.limits = limits;
        this.diskStore = new MachineDiskStore(database);
        this.newMachines = new NewMachineRegistrar(database, ruleFiles, limits);
        this.csv = new InventoryCsv(database, limits);
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
            return row.isEmpty()
                    ? Optional.<MachineGroup>empty()
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
            MachineEntry e = MachineChecks.entry(group.path(), spec);
            if (Machines.count(c) >= limits.maxMachines()) {
                throw new ConflictException("Cannot register machine '" + e.name() + "': " + limits.machines()
                        + " is reached");
            }
            MachineChecks.checkFree(c, e, null);
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
            MachineEntry e = MachineChecks.entry(GroupPath.parse(m.groupPath()), spec);
            MachineChecks.checkFree(c, e, id);
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
        return newMachines.registerSeen(seen);
    }

    @Override
    public List<NewMachine> newMachines() {
        return newMachines.newMachines();
    }

    @Override
    public List<Machine> registerNewMachines(long groupId, List<NewMachineRegistration> choices) {
        return newMachines.registerNewMachines(groupId, choices);
    }

    @Override
    public void deleteNewMachine(long id) {
        newMachines.deleteNewMachine(id);
    }

    // ---------------------------------------------------------------- rule files

    @Override
    public BootDecision bootDecision(String mac) {
        return ruleFiles.forceSkip().decide(MachineChecks.parse("mac", mac, MacAddress::parse));
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
        return csv.importCsv(content);
    }

    @Override
    public String exportCsv() {
        return csv.exportCsv();
    }
}
