package org.opendpm.inventory.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.opendpm.api.NotFoundException;
import org.opendpm.api.ValidationException;
import org.opendpm.api.inventory.GroupNode;
import org.opendpm.api.inventory.MachineGroup;
import org.opendpm.api.inventory.NetworkSetting;
import org.opendpm.inventory.internal.rules.GroupNetwork;
import org.opendpm.inventory.internal.rules.GroupPath;
import org.opendpm.inventory.internal.rules.Ipv4;
import org.opendpm.inventory.internal.rules.SubnetMask;

/**
 * The {@code machine_group} table. There are at most 1000 groups, so operations that need the tree (moves, renames,
 * the tree view) read all of them at once rather than walking it with one query per level.
 */
final class Groups {

    /** One stored group; {@code parentId} is {@code null} for a top-level group. */
    record Row(long id, Long parentId, String name, GroupPath path, NetworkSetting network) {
        int depth() {
            return path.depth();
        }
    }

    private static final String SELECT = "SELECT id, parent_id, name, path, same_subnet, default_gateway, subnet_mask"
            + " FROM machine_group";

    private Groups() {
    }

    /** All groups of the database, indexed by id and path. */
    static final class Snapshot {
        final Map<Long, Row> byId = new LinkedHashMap<>();
        final Map<GroupPath, Row> byPath = new HashMap<>();
        final Map<Long, List<Row>> children = new HashMap<>();

        void add(Row row) {
            byId.put(row.id(), row);
            byPath.put(row.path(), row);
            children.computeIfAbsent(row.parentId() == null ? 0L : row.parentId(), k -> new ArrayList<>()).add(row);
        }

        Row get(long id) {
            Row row = byId.get(id);
            if (row == null) {
                throw new NotFoundException("No machine group with id " + id);
            }
            return row;
        }

        /** The group and everything below it, the group first. */
        List<Row> subtree(Row top) {
            List<Row> result = new ArrayList<>();
            List<Row> todo = new ArrayList<>(List.of(top));
            while (!todo.isEmpty()) {
                Row r = todo.remove(todo.size() - 1);
                result.add(r);
                todo.addAll(children.getOrDefault(r.id(), List.of()));
            }
            return result;
        }
    }

    static Snapshot load(Connection c) throws SQLException {
        Snapshot s = new Snapshot();
        try (PreparedStatement ps = c.prepareStatement(SELECT + " ORDER BY path"); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                s.add(row(rs));
            }
        }
        return s;
    }

    static Optional<Row> byPath(Connection c, GroupPath path) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SELECT + " WHERE path = ?")) {
            ps.setString(1, path.toString());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(row(rs)) : Optional.empty();
            }
        }
    }

    static Row byId(Connection c, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SELECT + " WHERE id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new NotFoundException("No machine group with id " + id);
                }
                return row(rs);
            }
        }
    }

    private static Row row(ResultSet rs) throws SQLException {
        long parent = rs.getLong(2);
        Long parentId = rs.wasNull() ? null : parent;
        NetworkSetting network = rs.getBoolean(5)
                ? NetworkSetting.SAME_SUBNET
                : NetworkSetting.differentSubnet(rs.getString(6), rs.getString(7));
        return new Row(rs.getLong(1), parentId, rs.getString(3), GroupPath.parse(rs.getString(4)), network);
    }

    static long count(Connection c) throws SQLException {
        return Sql.count(c, "SELECT COUNT(*) FROM machine_group");
    }

    static void insert(Connection c, List<Row> rows) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO machine_group (id, parent_id, name, path, depth,"
                + " same_subnet, default_gateway, subnet_mask) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
            for (Row r : rows) {
                ps.setLong(1, r.id());
                if (r.parentId() == null) {
                    ps.setNull(2, Types.BIGINT);
                } else {
                    ps.setLong(2, r.parentId());
                }
                ps.setString(3, r.name());
                ps.setString(4, r.path().toString());
                ps.setInt(5, r.depth());
                ps.setBoolean(6, r.network().sameSubnet());
                ps.setString(7, r.network().defaultGateway());
                ps.setString(8, r.network().subnetMask());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** Writes every column but the id of rows whose path, parent, name or network changed. */
    static void update(Connection c, List<Row> rows) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE machine_group SET parent_id = ?, name = ?, path = ?,"
                + " depth = ?, same_subnet = ?, default_gateway = ?, subnet_mask = ? WHERE id = ?")) {
            for (Row r : rows) {
                if (r.parentId() == null) {
                    ps.setNull(1, Types.BIGINT);
                } else {
                    ps.setLong(1, r.parentId());
                }
                ps.setString(2, r.name());
                ps.setString(3, r.path().toString());
                ps.setInt(4, r.depth());
                ps.setBoolean(5, r.network().sameSubnet());
                ps.setString(6, r.network().defaultGateway());
                ps.setString(7, r.network().subnetMask());
                ps.setLong(8, r.id());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** Machines directly in each group that has any. */
    static Map<Long, Long> machineCounts(Connection c) throws SQLException {
        Map<Long, Long> counts = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT group_id, COUNT(*) FROM machine GROUP BY group_id");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                counts.put(rs.getLong(1), rs.getLong(2));
            }
        }
        return counts;
    }

    static long machineCount(Connection c, long groupId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM machine WHERE group_id = ?")) {
            ps.setLong(1, groupId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    static MachineGroup toApi(Row r, long machineCount) {
        return new MachineGroup(r.id(), r.path().toString(), r.name(), Optional.ofNullable(r.parentId()), r.depth(),
                r.network(), machineCount);
    }

    static List<GroupNode> tree(Snapshot s, Map<Long, Long> counts) {
        return nodes(s, 0L, counts);
    }

    private static List<GroupNode> nodes(Snapshot s, long parent, Map<Long, Long> counts) {
        List<Row> rows = new ArrayList<>(s.children.getOrDefault(parent, List.of()));
        rows.sort(Comparator.comparing(Row::name));
        List<GroupNode> result = new ArrayList<>(rows.size());
        for (Row r : rows) {
            result.add(new GroupNode(toApi(r, counts.getOrDefault(r.id(), 0L)), nodes(s, r.id(), counts)));
        }
        return result;
    }

    /** Checks a network setting from outside; the message names the field at fault. */
    static NetworkSetting validate(NetworkSetting n, String field) {
        if (n == null || n.sameSubnet()) {
            return NetworkSetting.SAME_SUBNET;
        }
        return toApi(toInternal(n, field));
    }

    static GroupNetwork toInternal(NetworkSetting n, String field) {
        if (n.sameSubnet()) {
            return GroupNetwork.SAME_SUBNET;
        }
        Ipv4 gateway;
        SubnetMask mask;
        try {
            gateway = Ipv4.parse(n.defaultGateway());
        } catch (IllegalArgumentException e) {
            throw new ValidationException(field + ".defaultGateway", "Default gateway: " + e.getMessage());
        }
        try {
            mask = SubnetMask.parse(n.subnetMask());
        } catch (IllegalArgumentException e) {
            throw new ValidationException(field + ".subnetMask", "Subnet mask: " + e.getMessage());
        }
        try {
            return GroupNetwork.differentSubnet(gateway, mask);
        } catch (IllegalArgumentException e) {
            throw new ValidationException(field + ".defaultGateway", e.getMessage());
        }
    }

    static NetworkSetting toApi(GroupNetwork g) {
        if (g instanceof GroupNetwork.DifferentSubnet d) {
            return NetworkSetting.differentSubnet(d.defaultGateway().toString(), d.subnetMask().toString());
        }
        return NetworkSetting.SAME_SUBNET;
    }
}
