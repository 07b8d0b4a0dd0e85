package org.opendpm.store.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.derby.jdbc.EmbeddedDataSource;
import org.junit.Before;
import org.junit.Test;
import org.opendpm.api.ConflictException;
import org.opendpm.api.StoreBusyException;
import org.opendpm.api.StoreUnavailableException;
import org.opendpm.store.Database;
import org.opendpm.store.StoreException;

public class JdbcDatabaseTest {

    private EmbeddedDataSource dataSource;

    @Before
    public void newDatabase() {
        dataSource = new EmbeddedDataSource();
        dataSource.setDatabaseName("memory:test-" + UUID.randomUUID());
        dataSource.setCreateDatabase("create");
    }

    private static int countSettings(JdbcDatabase db) {
        return db.inTransaction(c -> {
            try (var rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM server_setting")) {
                rs.next();
                return rs.getInt(1);
            }
        });
    }

    @Test
    public void migratesTheSchemaOnBindAndAgainWithoutHarm() {
        JdbcDatabase db = JdbcDatabase.over(dataSource);
        assertThat(db.isAvailable()).isTrue();
        assertThat(db.describe()).startsWith("Apache Derby");
        assertThat(countSettings(db)).isZero();
        // A second start finds the schema current and changes nothing.
        JdbcDatabase again = JdbcDatabase.over(dataSource);
        assertThat(again.isAvailable()).isTrue();
        assertThat(countSettings(again)).isZero();
    }

    @Test
    public void rollsBackWhenTheWorkFails() {
        JdbcDatabase db = JdbcDatabase.over(dataSource);
        assertThatThrownBy(() -> db.inTransaction(c -> {
            try (var ps = c.prepareStatement("INSERT INTO server_setting VALUES (?, ?, ?)")) {
                ps.setString(1, "a");
                ps.setString(2, "1");
                ps.setTimestamp(3, new Timestamp(0));
                ps.executeUpdate();
            }
            throw new ConflictException("refused after writing");
        })).isInstanceOf(ConflictException.class);
        assertThat(countSettings(db)).isZero();
    }

    @Test
    public void reportsUniqueViolations() {
        JdbcDatabase db = JdbcDatabase.over(dataSource);
        Database.Work<Integer> insert = c -> {
            try (var ps = c.prepareStatement("INSERT INTO server_setting VALUES ('k', 'v', CURRENT_TIMESTAMP)")) {
                return ps.executeUpdate();
            }
        };
        db.inTransaction(insert);
        assertThatThrownBy(() -> db.inTransaction(insert)).isInstanceOfSatisfying(StoreException.class,
                e -> assertThat(e.isUniqueViolation()).isTrue());
    }

    @Test
    public void isUnavailableWithoutDataSourceAndAfterUnbind() {
        JdbcDatabase db = new JdbcDatabase();
        assertThatThrownBy(() -> countSettings(db)).isInstanceOf(StoreUnavailableException.class)
                .hasMessageContaining("no DataSource 'opendpm'");
        db.bindDataSource(dataSource);
        assertThat(countSettings(db)).isZero();
        db.unbindDataSource(dataSource);
        assertThat(db.isAvailable()).isFalse();
        assertThatThrownBy(() -> countSettings(db)).isInstanceOf(StoreUnavailableException.class);
    }

    @Test
    public void aDatabaseThatCannotBeReachedIsUnavailableNotBroken() {
        EmbeddedDataSource missing = new EmbeddedDataSource();
        missing.setDatabaseName("memory:does-not-exist-" + UUID.randomUUID());
        JdbcDatabase db = JdbcDatabase.over(missing);
        assertThat(db.isAvailable()).isFalse();
        assertThatThrownBy(() -> countSettings(db)).isInstanceOf(StoreUnavailableException.class)
                .hasMessageContaining("migration failed");
    }

    private static void setting(Database db, String key, String value) {
        db.inTransaction(c -> {
            try (var ps = c.prepareStatement("INSERT INTO server_setting VALUES (?, ?, CURRENT_TIMESTAMP)")) {
                ps.setString(1, key);
                ps.setString(2, value);
                return ps.executeUpdate();
            }
        });
    }

    private static int update(java.sql.Connection c, String key, String value) throws SQLException {
        try (var ps = c.prepareStatement("UPDATE server_setting SET setting_value = ? WHERE name = ?")) {
            ps.setString(1, value);
            ps.setString(2, key);
            return ps.executeUpdate();
        }
    }

    private static String value(java.sql.Connection c, String key) throws SQLException {
        try (var ps = c.prepareStatement("SELECT setting_value FROM server_setting WHERE name = ?")) {
            ps.setString(1, key);
            try (var rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /** Derby detects deadlocks after 20 s and gives up on a lock after 60 s by default; shorter keeps tests short. */
    private static void detectDeadlocksAfterOneSecond(Database db) {
        db.inTransaction(c -> {
            try (var s = c.createStatement()) {
                s.execute("CALL SYSCS_UTIL.SYSCS_SET_DATABASE_PROPERTY('derby.locks.deadlockTimeout', '1')");
                s.execute("CALL SYSCS_UTIL.SYSCS_SET_DATABASE_PROPERTY('derby.locks.waitTimeout', '5')");
            }
            return null;
        });
    }

    @Test
    public void aDeadlocksVictimIsBusyNotBroken() throws Exception {
        JdbcDatabase db = JdbcDatabase.over(dataSource);
        detectDeadlocksAfterOneSecond(db);
        setting(db, "a", "0");
        setting(db, "b", "0");
        CyclicBarrier bothHoldOne = new CyclicBarrier(2);
        // Each takes one row, then wants the other's: one of them is chosen as the victim.
        java.util.function.BiFunction<String, String, CompletableFuture<Integer>> crossing = (first,
                second) -> CompletableFuture.supplyAsync(() -> db.inTransaction(c -> {
                    update(c, first, "1");
                    try {
                        bothHoldOne.await(10, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                    return update(c, second, "1");
                }));
        var one = crossing.apply("a", "b");
        var other = crossing.apply("b", "a");
        java.util.List<Throwable> failures = new java.util.ArrayList<>();
        for (var f : java.util.List.of(one, other)) {
            try {
                f.get(30, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                failures.add(e.getCause());
            }
        }
        assertThat(failures).singleElement().isInstanceOfSatisfying(StoreBusyException.class, e -> {
            assertThat(e.getMessage()).contains("SQLState 40001").doesNotContain("UPDATE");
            assertThat(e.getCause()).isInstanceOf(SQLException.class);
        });
    }

    @Test
    public void readUncommittedTriesAgainWhenTheDatabaseGivesUpOnIt() {
        JdbcDatabase db = JdbcDatabase.over(dataSource);
        AtomicInteger attempts = new AtomicInteger();
        String read = db.readUncommitted(c -> {
            if (attempts.incrementAndGet() < Database.READ_ATTEMPTS) {
                throw new SQLException("A lock could not be obtained due to a deadlock", "40001");
            }
            return "read";
        });
        assertThat(read).isEqualTo("read");
        assertThat(attempts).hasValue(Database.READ_ATTEMPTS);
    }

    @Test
    public void readUncommittedGivesUpAfterItsAttemptsAsBusy() {
        JdbcDatabase db = JdbcDatabase.over(dataSource);
        AtomicInteger attempts = new AtomicInteger();
        assertThatThrownBy(() -> db.readUncommitted(c -> {
            attempts.incrementAndGet();
            throw new SQLException("A lock could not be obtained within the time requested", "40XL1");
        })).isInstanceOf(StoreBusyException.class).hasMessageContaining("SQLState 40XL1");
        assertThat(attempts).hasValue(Database.READ_ATTEMPTS);
    }

    @Test
    public void readUncommittedDoesNotTryOtherFailuresAgain() {
        JdbcDatabase db = JdbcDatabase.over(dataSource);
        AtomicInteger attempts = new AtomicInteger();
        assertThatThrownBy(() -> db.readUncommitted(c -> {
            attempts.incrementAndGet();
            try (var rs = c.createStatement().executeQuery("SELECT nothing FROM no_such_table")) {
                return rs.next();
            }
        })).isInstanceOf(StoreException.class);
        assertThat(attempts).hasValue(1);
    }

    @Test
    public void readUncommittedNeitherWaitsForAWriterNorWrites() throws Exception {
        JdbcDatabase db = JdbcDatabase.over(dataSource);
        detectDeadlocksAfterOneSecond(db);
        setting(db, "a", "committed");
        CountDownLatch written = new CountDownLatch(1);
        CountDownLatch read = new CountDownLatch(1);
        var writer = CompletableFuture.runAsync(() -> db.inTransaction(c -> {
            update(c, "a", "open");
            written.countDown();
            // Holds its exclusive lock on the row until the reader has read it.
            try {
                assertThat(read.await(30, TimeUnit.SECONDS)).isTrue();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            return null;
        }));
        assertThat(written.await(30, TimeUnit.SECONDS)).isTrue();
        long t0 = System.nanoTime();
        String seen = db.readUncommitted(c -> value(c, "a"));
        assertThat(seen).isEqualTo("open");
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(1000);
        read.countDown();
        writer.get(30, TimeUnit.SECONDS);
        assertThatThrownBy(() -> db.readUncommitted(c -> update(c, "a", "by a reader")))
                .isInstanceOf(StoreException.class);
        String stored = db.inTransaction(c -> value(c, "a"));
        assertThat(stored).isEqualTo("open");
    }
}
