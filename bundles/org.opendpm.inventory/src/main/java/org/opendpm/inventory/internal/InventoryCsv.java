package org.opendpm.inventory.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.opendpm.api.ConflictException;
import org.opendpm.api.inventory.FileProblem;
import org.opendpm.api.inventory.ImportResult;
import org.opendpm.api.inventory.InvalidFileException;
import org.opendpm.api.inventory.Machine;
import org.opendpm.api.inventory.NetworkSetting;
import org.opendpm.inventory.internal.Groups.Row;
import org.opendpm.inventory.internal.Machines.Holder;
import org.opendpm.inventory.internal.rules.GroupPath;
import org.opendpm.inventory.internal.rules.Ipv4;
import org.opendpm.inventory.internal.rules.MacAddress;
import org.opendpm.inventory.internal.rules.MachineCsv;
import org.opendpm.inventory.internal.rules.MachineEntry;
import org.opendpm.inventory.internal.rules.MachineNames;
import org.opendpm.inventory.internal.rules.MachineUuid;
import org.opendpm.inventory.internal.rules.ParseResult;
import org.opendpm.store.Database;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The import and export of machines as CSV (INV-9): an import is checked whole, then applied in one transaction with
 * the groups it needs, or not at all. Kept apart from the service, which only delegates to it.
 */
final class InventoryCsv {

    // The service's category, so the inventory's log lines are configured together.
    private static final Logger LOG = LoggerFactory.getLogger(JdbcInventoryService.class);

    private final Database database;
    private final Limits limits;

    InventoryCsv(Database database, Limits limits) {
        this.database = database;
        this.limits = limits;
    }

    ImportResult importCsv(String content) {
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

    String exportCsv() {
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
