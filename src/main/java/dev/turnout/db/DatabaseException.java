package dev.turnout.db;

import java.sql.SQLException;

/** A statement the database refused or could not run; the driver's exception (and its SQLState) is the cause. */
public class DatabaseException extends RuntimeException {

    public DatabaseException(SQLException cause) {
        super(cause.getMessage(), cause);
    }
}
