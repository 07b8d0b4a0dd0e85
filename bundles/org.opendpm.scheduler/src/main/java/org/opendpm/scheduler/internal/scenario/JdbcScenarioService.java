package org.opendpm.scheduler.internal.scenario;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.opendpm.api.ConflictException;
import org.opendpm.api.NotFoundException;
import org.opendpm.api.ValidationException;
import org.opendpm.api.inventory.InventoryService;
import org.opendpm.api.plugin.PluginRegistry;
import org.opendpm.api.scenario.Assignment;
import org.opendpm.api.scenario.Executability;
import org.opendpm.api.scenario.Scenario;
import org.opendpm.api.scenario.ScenarioGroup;
import org.opendpm.api.scenario.ScenarioGroupNode;
import org.opendpm.api.scenario.ScenarioOptions;
import org.opendpm.api.scenario.ScenarioService;
import org.opendpm.api.scenario.ScenarioSpec;
import org.opendpm.api.scenario.ScenarioTab;
import org.opendpm.scheduler.internal.scenario.Store.GroupRow;
import org.opendpm.scheduler.internal.scenario.Store.ScenarioRow;
import org.opendpm.store.Database;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scenarios over the OpenDPM database. Every change runs in one transaction that first takes the scenario lock
 * ({@link Store#lock}), then checks, then writes: concurrent requests are applied one after the other and a refused
 * request leaves nothing behind. Reads take no lock. Nothing about plugins is cached: each read asks the registry,
 * so a scenario whose plugin leaves is unavailable at once and available again when it returns.
 */
@Component(service = ScenarioService.class)
public class JdbcScenarioService implements ScenarioService {

    private static final Logger LOG = LoggerFactory.getLogger(JdbcScenarioService.class);

    private final Database database;
    private final PluginRegistry plugins;
    private final InventoryService inventory;
    private final Limits limits;

    @Activate
    public JdbcScenarioService(@Reference Database database, @Reference PluginRegistry plugins,
            @Reference InventoryService inventory) {
        this(database, plugins, inventory, Limits.GUIDE);
    }

    public JdbcScenarioService(Database database, PluginRegistry plugins, InventoryService inventory, Limits limits) {
        this.database = database;
        this.plugins = plugins;
        this.inventory = inventory;
        this.limits = limits;
    }

    // ---------------------------------------------------------------- groups (SCN-1)

    @Override
    public List<ScenarioGroup> groups() {
        return database.inTransaction(c -> {
            Store.Groups g = Store.groups(c);
            Map<Long, Long> counts = Store.scenarioCounts(c);
            return g.byId.values().stream().map(r -> toApi(r, counts)).toList();
        });
    }

    @Override
    public List<ScenarioGroupNode> groupTree() {
        return database.inTransaction(c -> nodes(Store.groups(c), 0L, Store.scenarioCounts(c)));
    }

    private static List<ScenarioGroupNode> nodes(Store.Groups g, long parent, Map<Long, Long> counts) {
        List<GroupRow> rows = new ArrayList<>(g.children.getOrDefault(parent, List.of()));
        rows.sort(Comparator.comparing(GroupRow::name));
        return rows.stream().map(r -> new ScenarioGroupNode(toApi(r, counts), nodes(g, r.id(), counts))).toList();
    }

    @Override
    public ScenarioGroup group(long id) {
        return database.inTransaction(c -> toApi(Store.groups(c).get(id), Store.scenarioCounts(c)));
    }

    @Override
    public Optional<ScenarioGroup> findGroup(String path) {
        GroupPath p;
        try {
            p = GroupPath.parse(path);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        return database.inTransaction(c -> {
            GroupRow row = Store.groups(c).byPath.get(p.toString());
            return row == null ? Optional.<ScenarioGroup>empty() : Optional.of(toApi(row, Store.scenarioCounts(c)));
        });
    }

    /** Parses a group path; more layers than allowed is a limit (409), anything else wrong is bad input (400). */
    private GroupPath parsePath(String text) {
        if (text != null) {
            long layers = Arrays.stream(text.strip().split("/")).filter(s -> !s.isBlank()).count();
            if (layers > limits.maxLayers()) {
                throw new ConflictException("Scenario group path '" + text.strip() + "' has " + layers
                        + " layers, past " + limits.layers());
            }
        }
        try {
            return GroupPath.parse(text);
        } catch (IllegalArgumentException e) {
            throw new ValidationException("path", capitalised(e.getMessage()));
        }
    }

    @Override
    public ScenarioGroup createGroup(String pathText) {
        GroupPath path = parsePath(pathText);
        if (path.isRoot()) {
            throw new ValidationException("path", "The root '/' always exists; name a group under it, e.g. /Linux");
        }
        return database.inTransaction(c -> {
            Store.lock(c);
            Store.Groups g = Store.groups(c);
            if (g.byPath.containsKey(path.toString())) {
                throw new ConflictException("Scenario group " + path + " exists already");
            }
            GroupPath parentPath = path.parent().orElseThrow();
            Long parentId = null;
            if (!parentPath.isRoot()) {
                GroupRow parent = g.byPath.get(parentPath.toString());
                if (parent == null) {
                    throw new ValidationException("path", "Scenario group " + parentPath + " does not exist; create"
                            + " it first");
                }
                if (parent.builtIn()) {
                    throw new ConflictException("'" + BUILT_IN_GROUP + "' holds the built-in scenarios only and"
                            + " takes no sub-groups");
                }
                parentId = parent.id();
            } else {
                checkNotReserved(path.name());
            }
            if (g.byId.size() >= limits.maxGroups()) {
                throw new ConflictException("Cannot create scenario group " + path + ": " + limits.groups()
                        + " is reached");
            }
            GroupRow row = new GroupRow(Store.nextId(c), parentId, path.name(), path, false);
            Store.insertGroup(c, row);
            return toApi(row, Map.of());
        });
    }

    /** The built-in group's name is taken at the top level in any letter case, so no group can pass for it. */
    private static void checkNotReserved(String topLevelName) {
        if (topLevelName.toLowerCase(Locale.ROOT).equals(BUILT_IN_GROUP.toLowerCase(Locale.ROOT))) {
            throw new ConflictException("The name '" + BUILT_IN_GROUP + "' is reserved for the built-in scenarios");
        }
    }

    @Override
    public ScenarioGroup renameGroup(long id, String name) {
        String problem = GroupPath.nameProblem(name == null ? null : name.strip());
        if (problem != null) {
            throw new ValidationException("name", "Scenario group name " + problem);
        }
        String newName = name.strip();
        return database.inTransaction(c -> {
            Store.lock(c);
            Store.Groups g = Store.groups(c);
            GroupRow top = g.get(id);
            if (top.builtIn()) {
                throw new ConflictException("'" + BUILT_IN_GROUP + "' cannot be renamed");
            }
            if (newName.equals(top.name())) {
                return toApi(top, Store.scenarioCounts(c));
            }
            GroupPath newTop = top.path().parent().orElseThrow().child(newName);
            if (top.parentId() == null) {
                checkNotReserved(newName);
            }
            if (g.byPath.containsKey(newTop.toString())) {
                throw new ConflictException("Scenario group " + newTop + " exists already");
            }
            List<GroupRow> changed = new ArrayList<>();
            for (GroupRow r : g.subtree(top)) {
                List<String> segments = new ArrayList<>(newTop.segments());
                segments.addAll(r.path().segments().subList(top.path().depth(), r.path().depth()));
                GroupPath p = new GroupPath(segments);
                changed.add(new GroupRow(r.id(), r.parentId(), r.id() == id ? newName : r.name(), p, r.builtIn()));
            }
            Store.renameGroups(c, changed);
            return toApi(changed.get(0), Store.scenarioCounts(c));
        });
    }

    @Override
    public void deleteGroup(long id) {
        database.inTransaction(c -> {
            Store.lock(c);
            Store.Groups g = Store.groups(c);
            GroupRow row = g.get(id);
            if (row.builtIn()) {
                throw new ConflictException("'" + BUILT_IN_GROUP + "' cannot be deleted");
            }
            int subGroups = g.children.getOrDefault(id, List.of()).size();
            long scenarios = Store.scenarioCounts(c).getOrDefault(id, 0L);
            if (subGroups > 0 || scenarios > 0) {
                throw new ConflictException("Scenario group " + row.path() + " is not empty: " + subGroups
                        + " sub-groups and " + scenarios + " scenarios; delete or move them first");
            }
            try (var ps = c.prepareStatement("DELETE FROM scenario_group WHERE id = ?")) {
                ps.setLong(1, id);
                ps.executeUpdate();
            }
            return null;
        });
    }

    private static ScenarioGroup toApi(GroupRow r, Map<Long, Long> counts) {
        return new ScenarioGroup(r.id(), r.path().toString(), r.name(), Optional.ofNullable(r.parentId()),
                r.path().depth(), r.builtIn(), counts.getOrDefault(r.id(), 0L));
    }

    // ---------------------------------------------------------------- scenarios (SCN-2, SCN-3, SCN-4)

    @Override
    public List<Scenario> scenarios(Optional<Long> groupId) {
        return database.inTransaction(c -> {
            if (groupId.isPresent()) {
                Store.groups(c).get(groupId.get());
                return assemble(Store.scenarios(c, "s.group_id = ?", groupId.get()), Store.tabs(c,
                        "t.scenario_id IN (SELECT id FROM scenario WHERE group_id = ?)", groupId.get()));
            }
            return assemble(Store.scenarios(c, null, null), Store.tabs(c, null, null));
        });
    }

    @Override
    public Scenario scenario(long id) {
        return database.inTransaction(c -> read(c, id));
    }

    private Scenario read(Connection c, long id) throws SQLException {
        ScenarioRow row = Store.scenario(c, id).orElseThrow(() -> new NotFoundException("No scenario with id " + id));
        return assemble(List.of(row), Store.tabs(c, "t.scenario_id = ?", id)).get(0);
    }

    @Override
    public Optional<Scenario> findScenario(String name) {
        if (name == null || name.isBlank()) {
            return Optional.empty();
        }
        return database.inTransaction(c -> {
            Optional<ScenarioRow> row = Store.scenarioByName(c, name.strip());
            return row.isEmpty()
                    ? Optional.<Scenario>empty()
                    : Optional.of(assemble(List.of(row.get()), Store.tabs(c, "t.scenario_id = ?", row.get().id()))
                            .get(0));
        });
    }

    @Override
    public List<String> scenarioNames(String prefix, int limit) {
        String p = prefix == null ? "" : prefix;
        return database.inTransaction(c -> {
            List<String> names = new ArrayList<>();
            try (var ps = c.prepareStatement("SELECT name FROM scenario WHERE name_key LIKE ? ESCAPE '\\' ORDER BY"
                    + " name_key")) {
                ps.setString(1, Names.key(p).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%");
                ps.setMaxRows(Math.max(1, limit));
                try (var rs = ps.executeQuery()) {
                    while (rs.next()) {
                        names.add(rs.getString(1));
                    }
                }
            }
            return names;
        });
    }

    /** Domain scenarios from rows and stored tabs, each tab read against the plugins present now. */
    private List<Scenario> assemble(List<ScenarioRow> rows, Map<Long, List<Tabs.Stored>> tabs) {
        List<Scenario> result = new ArrayList<>(rows.size());
        for (ScenarioRow r : rows) {
            Evaluated e = evaluate(tabs.getOrDefault(r.id(), List.of()));
            result.add(new Scenario(r.id(), r.name(), r.groupId(), r.groupPath(), e.tabs(),
                    new ScenarioOptions(r.forcedReboot(), r.powerOff()), r.builtIn(), r.description(),
                    e.problem() == null, Optional.ofNullable(e.problem()), r.assigned()));
        }
        return result;
    }

    /** The tabs as read, the first problem among them (or {@code null}), and whether any needs the Deploy-OS. */
    private record Evaluated(List<ScenarioTab> tabs, String problem, boolean needsDeployOs) {
    }

    private Evaluated evaluate(List<Tabs.Stored> stored) {
        List<ScenarioTab> tabs = new ArrayList<>(stored.size());
        String problem = null;
        boolean deployOs = false;
        for (Tabs.Stored s : stored) {
            Tabs.Read read = Tabs.read(s.type(), s.settingsVersion(), s.json(), plugins);
            tabs.add(read.tab());
            if (problem == null) {
                problem = read.problem();
            }
            deployOs |= read.needsDeployOs();
        }
        return new Evaluated(tabs, problem, deployOs);
    }

    @Override
    public Scenario createScenario(ScenarioSpec spec) {
        List<Tabs.Stored> tabs = checked(spec);
        String name = spec.name().strip();
        return database.inTransaction(c -> {
            Store.lock(c);
            checkGroupForScenarios(c, spec.groupId());
            checkNameFree(c, name, null);
            long id = Store.nextId(c);
            Store.writeScenario(c, true, id, name, spec.groupId(), spec.options().forcedRebootBeforeExecution(),
                    spec.options().powerOffAfterExecution(), tabs);
            return read(c, id);
        });
    }

    @Override
    public Scenario updateScenario(long id, ScenarioSpec spec) {
        List<Tabs.Stored> tabs = checked(spec);
        String name = spec.name().strip();
        return database.inTransaction(c -> {
            Store.lock(c);
            ScenarioRow row = Store.scenario(c, id)
                    .orElseThrow(() -> new NotFoundException("No scenario with id " + id));
            if (row.builtIn()) {
                throw new ConflictException("Built-in scenario " + row.name() + " cannot be changed");
            }
            checkGroupForScenarios(c, spec.groupId());
            checkNameFree(c, name, id);
            Store.writeScenario(c, false, id, name, spec.groupId(), spec.options().forcedRebootBeforeExecution(),
                    spec.options().powerOffAfterExecution(), tabs);
            return read(c, id);
        });
    }

    /** Checks the input that needs no database, plugins included, so a refused request never opens a transaction. */
    private List<Tabs.Stored> checked(ScenarioSpec spec) {
        if (spec == null) {
            throw new ValidationException(null, "A scenario is required");
        }
        String problem = Names.problem(spec.name() == null ? null : spec.name().strip());
        if (problem != null) {
            throw new ValidationException("name", problem);
        }
        return Tabs.check(spec.tabs(), plugins);
    }

    private static void checkGroupForScenarios(Connection c, long groupId) throws SQLException {
        GroupRow group = Store.groups(c).byId.get(groupId);
        if (group == null) {
            throw new ValidationException("groupId", "No scenario group with id " + groupId);
        }
        if (group.builtIn()) {
            throw new ConflictException("'" + BUILT_IN_GROUP + "' holds the built-in scenarios only");
        }
    }

    private static void checkNameFree(Connection c, String name, Long self) throws SQLException {
        Optional<ScenarioRow> holder = Store.scenarioByName(c, name);
        if (holder.isPresent() && (self == null || holder.get().id() != self)) {
            throw new ConflictException("Scenario name '" + name + "' is taken by scenario " + holder.get().name()
                    + " (id " + holder.get().id() + ")");
        }
    }

    @Override
    public void deleteScenario(long id) {
        database.inTransaction(c -> {
            Store.lock(c);
            ScenarioRow row = Store.scenario(c, id)
                    .orElseThrow(() -> new NotFoundException("No scenario with id " + id));
            if (row.builtIn()) {
                throw new ConflictException("Built-in scenario " + row.name() + " cannot be deleted");
            }
            if (row.assigned() > 0) {
                throw new ConflictException("Scenario " + row.name() + " is assigned to " + row.assigned()
                        + (row.assigned() == 1 ? " machine" : " machines") + "; unassign it first");
            }
            try (var ps = c.prepareStatement("DELETE FROM scenario WHERE id = ?")) {
                ps.setLong(1, id);
                ps.executeUpdate();
            }
            LOG.info("Deleted scenario {}", row.name());
            return null;
        });
    }

    @Override
    public Executability executability(long id) {
        return database.inTransaction(c -> {
            Store.scenario(c, id).orElseThrow(() -> new NotFoundException("No scenario with id " + id));
            Evaluated e = evaluate(Store.tabs(c, "t.scenario_id = ?", id).getOrDefault(id, List.of()));
            return new Executability(e.problem() == null, Optional.ofNullable(e.problem()), e.needsDeployOs());
        });
    }

    // ---------------------------------------------------------------- assignment (SCN-5)

    @Override
    public List<Assignment> assign(long scenarioId, List<Long> machineIds) {
        if (machineIds == null || machineIds.isEmpty()) {
            throw new ValidationException("machineIds", "Name at least one machine to assign the scenario to");
        }
        if (machineIds.stream().anyMatch(java.util.Objects::isNull)) {
            throw new ValidationException("machineIds", "A machine id is missing in the list");
        }
        List<Long> ids = List.copyOf(new LinkedHashSet<>(machineIds));
        return database.inTransaction(c -> {
            Store.lock(c);
            Scenario scenario = read(c, scenarioId);
            if (!scenario.available()) {
                throw new ConflictException("Scenario " + scenario.name() + " cannot be assigned: "
                        + scenario.unavailableReason().orElseThrow());
            }
            // Under the lock row, so no machine checked here can go before the inserts (the foreign key would refuse
            // them anyway, and then nothing is kept).
            List<Long> missing = Store.missingMachines(c, ids);
            if (!missing.isEmpty()) {
                throw new ValidationException("machineIds", "No machine with id " + missing.get(0)
                        + "; nothing was assigned");
            }
            Store.replaceAssignments(c, ids, scenarioId, Timestamp.from(Instant.now()));
            java.util.Set<Long> wanted = new java.util.HashSet<>(ids);
            List<Assignment> all = Store.assignments(c, "a.scenario_id = ?", scenarioId);
            return all.stream().filter(a -> wanted.contains(a.machineId())).toList();
        });
    }

    @Override
    public boolean unassign(long machineId) {
        return database.inTransaction(c -> {
            Store.lock(c);
            return Store.deleteAssignment(c, machineId) > 0;
        });
    }

    @Override
    public Optional<Assignment> assignment(long machineId) {
        return database.inTransaction(c -> Store.assignments(c, "a.machine_id = ?", machineId).stream().findFirst());
    }

    @Override
    public Map<Long, Assignment> assignmentsOf(Collection<Long> machineIds) {
        List<Long> ids = machineIds.stream().distinct().toList();
        return ids.isEmpty() ? Map.of() : database.inTransaction(c -> Store.assignmentsOf(c, ids));
    }

    @Override
    public List<Assignment> assignments(long scenarioId) {
        return database.inTransaction(c -> {
            Store.scenario(c, scenarioId).orElseThrow(() -> new NotFoundException("No scenario with id "
                    + scenarioId));
            return Store.assignments(c, "a.scenario_id = ?", scenarioId);
        });
    }

    private static String capitalised(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
