package dev.turnout.db;

import java.sql.SQLException;

/** PostgreSQL's SQLStates the application answers differently from other failures, looked for in a cause chain. */
public final class SqlStates {

    /** foreign_key_violation: a referenced row is gone, or a referencing row still exists. */
    public static final String FOREIGN_KEY_VIOLATION = "23503";
    /**
     * restrict_violation, which PostgreSQL itself does not raise (its foreign keys use 23503): the schema's own
     * triggers raise it with a message for the client, such as deleting the candidate of a rollout in progress.
     */
    public static final String RESTRICT_VIOLATION = "23001";

    /** Class 08 (connection exception) or 57P (the server is shutting down or starting): the database is away. */
    public static boolean isUnreachable(String sqlState) {
        return sqlState != null && (sqlState.startsWith("08") || sqlState.startsWith("57P"));
    }

    private SqlStates() {
    }

    public static boolean isForeignKeyViolation(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof SQLException sql && FOREIGN_KEY_VIOLATION.equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }
}
