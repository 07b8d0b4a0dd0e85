package org.opendpm.store.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Timestamp;
import java.util.UUID;

import org.apache.derby.jdbc.EmbeddedDataSource;
import org.junit.Before;
import org.junit.Test;
import org.opendpm.api.ConflictException;
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
}
