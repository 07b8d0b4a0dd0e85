package org.opendpm.inventory.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** SQL helpers shared by the inventory's table code; everything here runs inside one transaction. */
final class Sql {

    /** Rows per JDBC batch and ids per {@code IN (...)} list: large enough to amortise, small for every driver. */
    static final int CHUNK = 500;

    private Sql() {
    }

    /**
     * Takes the inventory's write lock: the row lock on {@code inventory_state}, held until the transaction ends.
     * Every inventory change calls this first, so changes run one after another and their checks (limits,
     * uniqueness across tables) see every earlier change, on Derby and PostgreSQL alike.
     */
    static void lock(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE inventory_state SET next_id = next_id WHERE id = 1")) {
            if (ps.executeUpdate() != 1) {
                throw new SQLException("inventory_state has no row; the schema is not migrated", "55000");
            }
        }
    }

    /** Reserves {@code count} consecutive ids and returns the first; needs {@link #lock}. */
    static long allocateIds(Connection c, int count) throws SQLException {
        long first;
        try (PreparedStatement ps = c.prepareStatement("SELECT next_id FROM inventory_state WHERE id = 1");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            first = rs.getLong(1);
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE inventory_state SET next_id = ? WHERE id = 1")) {
            ps.setLong(1, first + count);
            ps.executeUpdate();
        }
        return first;
    }

    static long count(Connection c, String sql) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static Timestamp now() {
        return Timestamp.from(Instant.now());
    }

    static void setOptional(PreparedStatement ps, int index, Optional<String> value) throws SQLException {
        if (value.isPresent()) {
            ps.setString(index, value.get());
        } else {
            ps.setNull(index, Types.VARCHAR);
        }
    }

    static Optional<String> optional(ResultSet rs, int column) throws SQLException {
        return Optional.ofNullable(rs.getString(column));
    }

    /** {@code ?, ?, ?} for an {@code IN} list of {@code n}. */
    static String marks(int n) {
        return String.join(", ", java.util.Collections.nCopies(n, "?"));
    }

    static <T> List<List<T>> chunks(List<T> all) {
        List<List<T>> result = new ArrayList<>();
        for (int i = 0; i < all.size(); i += CHUNK) {
            result.add(all.subList(i, Math.min(all.size(), i + CHUNK)));
        }
        return result;
    }

    /** A {@code LIKE} pattern matching {@code text} literally, for use with {@code ESCAPE '\'}. */
    static String likeLiteral(String text) {
        return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }
}
