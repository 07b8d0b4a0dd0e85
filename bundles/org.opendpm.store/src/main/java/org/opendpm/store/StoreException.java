package org.opendpm.store;

import java.sql.SQLException;

/** A database operation failed for a reason other than the database being unreachable. */
public class StoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StoreException(String message, SQLException cause) {
        super(message + ": " + cause.getMessage() + " (SQLState " + cause.getSQLState() + ")", cause);
    }

    /** Whether the cause is a unique or primary key violation (SQLState 23505 on Derby and PostgreSQL). */
    public boolean isUniqueViolation() {
        return getCause() instanceof SQLException e && "23505".equals(e.getSQLState());
    }
}
