package org.opendpm.inventory.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.opendpm.api.inventory.Machine;
import org.opendpm.api.inventory.MachineQuery;
import org.opendpm.api.inventory.MachineStatus;
import org.opendpm.api.inventory.PowerState;
import org.opendpm.inventory.internal.rules.Ipv4;
import org.opendpm.inventory.internal.rules.MacAddress;
import org.opendpm.inventory.internal.rules.MachineEntry;
import org.opendpm.inventory.internal.rules.MachineNames;
import org.opendpm.inventory.internal.rules.MachineUuid;

/** The {@code machine} and {@code machine_nic} tables. */
final class Machines {

    /** A machine to write, with its id and group already decided. */
    record Insert(long id, long groupId, MachineEntry entry) {
    }

    /** Who holds a name, MAC or UUID, for the conflict message. */
    record Holder(long id, String name, String groupPath) {
        String describe() {
            return "machine '" + name + "' (id " + id + ", group " + groupPath + ")";
        }
    }

    private static final String COLUMNS = "m.id, m.name, m.group_id, g.path, m.primary_mac, m.uuid, m.ip, m.model,"
            + " m.deploy_os, m.power_state, m.status";
    private static final String FROM = " FROM machine m JOIN machine_group g ON g.id = m.group_id";

    private Machines() {
    }

    static long count(Connection c) throws SQLException {
        return Sql.count(c, "SELECT COUNT(*) FROM machine");
    }

    static Optional<Machine> byId(Connection c, long id) throws SQLException {
        return one(c, " WHERE m.id = ?", id);
    }

    static Optional<Machine> byName(Connection c, String name) throws SQLException {
        return one(c, " WHERE m.name_key = ?", MachineNames.matchKey(name.strip()));
    }

    private static Optional<Machine> one(Connection c, String where, Object key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + FROM + where)) {
            ps.setObject(1, key);
            List<Machine> found = withNics(c, heads(ps));
            return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
        }
    }

    /** A machine without its NICs, as read from {@code machine}. */
    private record Head(long id, String name, long groupId, String groupPath, String primaryMac, Optional<String> uuid,
            Optional<String> ip, Optional<String> model, Optional<String> deployOs, PowerState power,
            MachineStatus status) {
    }

    private static List<Head> heads(PreparedStatement ps) throws SQLException {
        List<Head> heads = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                heads.add(new Head(rs.getLong(1), rs.getString(2), rs.getLong(3), rs.getString(4), rs.getString(5),
                        Sql.optional(rs, 6), Sql.optional(rs, 7), Sql.optional(rs, 8), Sql.optional(rs, 9),
                        PowerState.valueOf(rs.getString(10)), MachineStatus.valueOf(rs.getString(11))));
            }
        }
        return heads;
    }

    /** Adds the NICs with one query per {@link Sql#CHUNK} machines (not one per machine). */
    private static List<Machine> withNics(Connection c, List<Head> heads) throws SQLException {
        Map<Long, List<String>> macs = new HashMap<>();
        List<Long> ids = heads.stream().map(Head::id).toList();
        for (List<Long> chunk : Sql.chunks(ids)) {
            try (PreparedStatement ps = c
                    .prepareStatement("SELECT machine_id, mac FROM machine_nic WHERE machine_id IN ("
                            + Sql.marks(chunk.size()) + ") ORDER BY machine_id, nic_order")) {
                for (int i = 0; i < chunk.size(); i++) {
                    ps.setLong(i + 1, chunk.get(i));
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        macs.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>()).add(rs.getString(2));
                    }
                }
            }
        }
        return assemble(heads, macs);
    }

    /** A {@code WHERE} clause and its parameters for a query. */
    private record Filter(String where, List<Object> params) {
    }

    private static Filter filter(MachineQuery q, String groupPath) {
        StringBuilder where = new StringBuilder(" WHERE 1 = 1");
        List<Object> params = new ArrayList<>();
        if (q.groupId().isPresent()) {
            if (q.includeSubgroups()) {
                where.append(
                        " AND m.group_id IN (SELECT id FROM machine_group WHERE id = ? OR path LIKE ? ESCAPE '\\')");
                params.add(q.groupId().get());
                params.add(Sql.likeLiteral(groupPath + "/") + "%");
            } else {
                where.append(" AND m.group_id = ?");
                params.add(q.groupId().get());
            }
        }
        if (q.status().isPresent()) {
            where.append(" AND m.status = ?");
            params.add(q.status().get().name());
        }
        if (q.text().isPresent() && !q.text().get().isBlank()) {
            String text = q.text().get().strip().toLowerCase(Locale.ROOT);
            String like = "%" + Sql.likeLiteral(text) + "%";
            // MACs are stored with ':'; someone searching for "00-50-56" means the same digits.
            String macLike = "%" + Sql.likeLiteral(text.replace('-', ':')) + "%";
            where.append(" AND (m.name_key LIKE ? ESCAPE '\\' OR m.ip LIKE ? ESCAPE '\\' OR m.uuid LIKE ? ESCAPE '\\'"
                    + " OR LOWER(m.model) LIKE ? ESCAPE '\\' OR EXISTS (SELECT 1 FROM machine_nic n"
                    + " WHERE n.machine_id = m.id AND n.mac LIKE ? ESCAPE '\\'))");
            params.addAll(List.of(like, like, like, like, macLike));
        }
        return new Filter(where.toString(), params);
    }

    /** The column each order sorts by; ties go to the name key (unique), so the order is total. */
    private static String orderBy(MachineQuery q) {
        String column = switch (q.sort()) {
        case NAME -> null;
        case IP -> "m.ip_key";
        case MAC -> "m.primary_mac";
        case MODEL -> "LOWER(m.model)";
        case STATUS -> "m.status";
        case POWER -> "m.power_state";
        };
        String direction = q.descending() ? " DESC" : "";
        return " ORDER BY " + (column == null ? "" : column + direction + ", ") + "m.name_key" + direction;
    }

    /** One page in the query's order, and the number of matches. */
    static Map.Entry<List<Machine>, Long> page(Connection c, MachineQuery q, String groupPath) throws SQLException {
        Filter f = filter(q, groupPath);
        long total;
        try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM machine m" + f.where())) {
            bind(ps, f.params());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                total = rs.getLong(1);
            }
        }
        List<Head> heads;
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + FROM + f.where()
                + orderBy(q) + " OFFSET ? ROWS FETCH NEXT ? ROWS ONLY")) {
            bind(ps, f.params());
            ps.setInt(f.params().size() + 1, q.offset());
            ps.setInt(f.params().size() + 2, q.limit());
            heads = heads(ps);
        }
        return Map.entry(withNics(c, heads), total);
    }

    private static void bind(PreparedStatement ps, List<Object> params) throws SQLException {
        for (int i = 0; i < params.size(); i++) {
            ps.setObject(i + 1, params.get(i));
        }
    }

    /** Every machine ordered by group path and name, for the export. */
    static List<Machine> all(Connection c) throws SQLException {
        List<Head> heads;
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + FROM + " ORDER BY g.path, m.name_key")) {
            heads = heads(ps);
        }
        Map<Long, List<String>> macs = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT machine_id, mac FROM machine_nic ORDER BY machine_id,"
                + " nic_order"); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                macs.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>()).add(rs.getString(2));
            }
        }
        return assemble(heads, macs);
    }

    static List<String> names(Connection c, String prefix, int limit) throws SQLException {
        List<String> names = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT name FROM machine WHERE name_key LIKE ? ESCAPE '\\'"
                + " ORDER BY name_key FETCH FIRST ? ROWS ONLY")) {
            ps.setString(1, Sql.likeLiteral(MachineNames.matchKey(prefix)) + "%");
            ps.setInt(2, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    names.add(rs.getString(1));
                }
            }
        }
        return names;
    }

    static Optional<Holder> nameHolder(Connection c, String name) throws SQLException {
        return holder(c, "SELECT m.id, m.name, g.path" + FROM + " WHERE m.name_key = ?", MachineNames.matchKey(name));
    }

    static Optional<Holder> macHolder(Connection c, MacAddress mac) throws SQLException {
        return holder(c, "SELECT m.id, m.name, g.path" + FROM + " JOIN machine_nic n ON n.machine_id = m.id"
                + " WHERE n.mac = ?", mac.canonical());
    }

    /** The holder of a UUID; placeholders (nil, all-F) have none, as they tell no machines apart. */
    static Optional<Holder> uuidHolder(Connection c, MachineUuid uuid) throws SQLException {
        if (uuid.isPlaceholder()) {
            return Optional.empty();
        }
        return holder(c, "SELECT m.id, m.name, g.path" + FROM + " WHERE m.uuid_key = ?", uuid.canonical());
    }

    private static Optional<Holder> holder(Connection c, String sql, String key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next()
                        ? Optional.of(new Holder(rs.getLong(1), rs.getString(2), rs.getString(3)))
                        : Optional.empty();
            }
        }
    }

    /** Every holder of a name, MAC and UUID, keyed as stored: for checking a whole import at once. */
    static Map<String, Holder> allHolders(Connection c, String sql) throws SQLException {
        Map<String, Holder> result = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                result.put(rs.getString(1), new Holder(rs.getLong(2), rs.getString(3), rs.getString(4)));
            }
        }
        return result;
    }

    static Map<String, Holder> allNames(Connection c) throws SQLException {
        return allHolders(c, "SELECT m.name_key, m.id, m.name, g.path" + FROM);
    }

    static Map<String, Holder> allMacs(Connection c) throws SQLException {
        return allHolders(c,
                "SELECT n.mac, m.id, m.name, g.path" + FROM + " JOIN machine_nic n ON n.machine_id = m.id");
    }

    static Map<String, Holder> allUuids(Connection c) throws SQLException {
        return allHolders(c, "SELECT m.uuid_key, m.id, m.name, g.path" + FROM + " WHERE m.uuid_key IS NOT NULL");
    }

    /** Inserts machines and their NICs in JDBC batches; the caller has checked every constraint. */
    static void insert(Connection c, List<Insert> machines) throws SQLException {
        Timestamp now = Sql.now();
        try (PreparedStatement m = c.prepareStatement("INSERT INTO machine (id, group_id, name, name_key, primary_mac,"
                + " uuid, uuid_key, ip, model, deploy_os, ip_key, power_state, status, updated_at)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            int n = 0;
            for (Insert i : machines) {
                MachineEntry e = i.entry();
                m.setLong(1, i.id());
                m.setLong(2, i.groupId());
                bindEntry(m, 3, e);
                m.setString(12, PowerState.UNKNOWN.name());
                m.setString(13, MachineStatus.NONE.name());
                m.setTimestamp(14, now);
                m.addBatch();
                if (++n % Sql.CHUNK == 0) {
                    m.executeBatch();
                }
            }
            m.executeBatch();
        }
        insertNics(c, machines);
    }

    /** Sets name, name_key, primary_mac, uuid, uuid_key, ip, model, deploy_os, ip_key from {@code first} on. */
    private static void bindEntry(PreparedStatement ps, int first, MachineEntry e) throws SQLException {
        ps.setString(first, e.name());
        ps.setString(first + 1, MachineNames.matchKey(e.name()));
        ps.setString(first + 2, e.primaryMac().canonical());
        Sql.setOptional(ps, first + 3, e.uuid().map(MachineUuid::canonical));
        Sql.setOptional(ps, first + 4, e.uuid().filter(u -> !u.isPlaceholder()).map(MachineUuid::canonical));
        Sql.setOptional(ps, first + 5, e.ip().map(Ipv4::toString));
        Sql.setOptional(ps, first + 6, e.model());
        Sql.setOptional(ps, first + 7, e.deployOs());
        setIpKey(ps, first + 8, e.ip());
    }

    /**
     * The address as an unsigned number, which sorts as addresses do (10.0.0.9 before 10.0.0.10, where the text would
     * not); NULL without one.
     */
    private static void setIpKey(PreparedStatement ps, int index, Optional<Ipv4> ip) throws SQLException {
        if (ip.isPresent()) {
            ps.setLong(index, Integer.toUnsignedLong(ip.get().bits()));
        } else {
            ps.setNull(index, Types.BIGINT);
        }
    }

    private static void insertNics(Connection c, List<Insert> machines) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO machine_nic (mac, machine_id, nic_order)"
                + " VALUES (?, ?, ?)")) {
            int n = 0;
            for (Insert i : machines) {
                List<MacAddress> macs = i.entry().macs();
                for (int k = 0; k < macs.size(); k++) {
                    ps.setString(1, macs.get(k).canonical());
                    ps.setLong(2, i.id());
                    ps.setInt(3, k);
                    ps.addBatch();
                    if (++n % Sql.CHUNK == 0) {
                        ps.executeBatch();
                    }
                }
            }
            ps.executeBatch();
        }
    }

    /** Replaces a machine's data and NICs; group, power state and status stay. */
    static void update(Connection c, long id, MachineEntry e) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE machine SET name = ?, name_key = ?, primary_mac = ?,"
                + " uuid = ?, uuid_key = ?, ip = ?, model = ?, deploy_os = ?, ip_key = ?, updated_at = ? WHERE id = ?")) {
            bindEntry(ps, 1, e);
            ps.setTimestamp(10, Sql.now());
            ps.setLong(11, id);
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM machine_nic WHERE machine_id = ?")) {
            ps.setLong(1, id);
            ps.executeUpdate();
        }
        insertNics(c, List.of(new Insert(id, 0, e)));
    }

    static int setColumn(Connection c, long id, String column, String value) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE machine SET " + column + " = ?, updated_at = ?"
                + " WHERE id = ?")) {
            ps.setString(1, value);
            ps.setTimestamp(2, Sql.now());
            ps.setLong(3, id);
            return ps.executeUpdate();
        }
    }

    /** Deletes machines by id (their NICs go by cascade). */
    static int delete(Connection c, List<Long> ids) throws SQLException {
        int n = 0;
        for (List<Long> chunk : Sql.chunks(ids)) {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM machine WHERE id IN (" + Sql.marks(chunk.size())
                    + ")")) {
                for (int i = 0; i < chunk.size(); i++) {
                    ps.setLong(i + 1, chunk.get(i));
                }
                n += ps.executeUpdate();
            }
        }
        return n;
    }

    /** Ids of the machines in these groups. */
    static List<Long> idsInGroups(Connection c, List<Long> groupIds) throws SQLException {
        List<Long> ids = new ArrayList<>();
        for (List<Long> chunk : Sql.chunks(groupIds)) {
            try (PreparedStatement ps = c.prepareStatement("SELECT id FROM machine WHERE group_id IN ("
                    + Sql.marks(chunk.size()) + ")")) {
                for (int i = 0; i < chunk.size(); i++) {
                    ps.setLong(i + 1, chunk.get(i));
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        ids.add(rs.getLong(1));
                    }
                }
            }
        }
        return ids;
    }

    /** Which of these ids exist, in the given order. */
    static List<Long> existing(Connection c, List<Long> ids) throws SQLException {
        Map<Long, Boolean> found = new LinkedHashMap<>();
        ids.forEach(id -> found.put(id, false));
        for (List<Long> chunk : Sql.chunks(ids)) {
            try (PreparedStatement ps = c.prepareStatement("SELECT id FROM machine WHERE id IN ("
                    + Sql.marks(chunk.size()) + ")")) {
                for (int i = 0; i < chunk.size(); i++) {
                    ps.setLong(i + 1, chunk.get(i));
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        found.put(rs.getLong(1), true);
                    }
                }
            }
        }
        return found.entrySet().stream().filter(Map.Entry::getValue).map(Map.Entry::getKey).toList();
    }

    static void move(Connection c, List<Long> ids, long groupId) throws SQLException {
        Timestamp now = Sql.now();
        for (List<Long> chunk : Sql.chunks(ids)) {
            try (PreparedStatement ps = c
                    .prepareStatement("UPDATE machine SET group_id = ?, updated_at = ? WHERE id IN ("
                            + Sql.marks(chunk.size()) + ")")) {
                ps.setLong(1, groupId);
                ps.setTimestamp(2, now);
                for (int i = 0; i < chunk.size(); i++) {
                    ps.setLong(i + 3, chunk.get(i));
                }
                ps.executeUpdate();
            }
        }
    }

    static void setIp(Connection c, long id, Ipv4 ip) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE machine SET ip = ?, ip_key = ?, updated_at = ?"
                + " WHERE id = ?")) {
            ps.setString(1, ip.toString());
            setIpKey(ps, 2, Optional.of(ip));
            ps.setTimestamp(3, Sql.now());
            ps.setLong(4, id);
            ps.executeUpdate();
        }
    }

    /** Machines from their rows and their NICs' MACs (in NIC order). */
    private static List<Machine> assemble(List<Head> heads, Map<Long, List<String>> macs) {
        List<Machine> result = new ArrayList<>(heads.size());
        for (Head h : heads) {
            result.add(new Machine(h.id(), h.name(), h.groupId(), h.groupPath(), macs.getOrDefault(h.id(), List.of()),
                    h.primaryMac(), h.uuid(), h.ip(), h.model(), h.deployOs(), h.power(), h.status()));
        }
        return result;
    }
}
