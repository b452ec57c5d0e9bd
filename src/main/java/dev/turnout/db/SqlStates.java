package dev.turnout.db;

import java.sql.SQLException;

/** PostgreSQL's SQLStates the application answers differently from other failures, looked for in a cause chain. */
public final class SqlStates {

    /** foreign_key_violation: a referenced row is gone, or a referencing row still exists. */
    public static final String FOREIGN_KEY_VIOLATION = "23503";

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
