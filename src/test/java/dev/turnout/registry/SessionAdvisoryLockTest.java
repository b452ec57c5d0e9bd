package dev.turnout.registry;

import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The lock around a store copy, against a fake connection (a failing unlock cannot be provoked on a real one at will):
 * the work's result or exception reaches the caller whatever the unlock does, and a connection whose unlock failed is
 * aborted, never handed back to the pool still holding the lock.
 */
class SessionAdvisoryLockTest {

    /** What the driver throws once the connection is gone (the copy ran for an hour; the network blinked). */
    static final SQLException CONNECTION_BROKE = new SQLException("An I/O error occurred while sending to the backend.",
            "08006");
    /** A failure that leaves the connection open, and its session still holding the lock. */
    static final SQLException STATEMENT_CANCELLED = new SQLException("canceling statement due to statement timeout",
            "57014");

    @Test
    void theWorksResultSurvivesAnUnlockThatFails() {
        FakeSession session = new FakeSession(true, CONNECTION_BROKE);
        Optional<String> result = new SessionAdvisoryLock(session.dataSource(), "test.lock").runIfFree(() -> "moved 3");
        assertEquals(Optional.of("moved 3"), result);
        assertTrue(session.calls.contains("pg_advisory_unlock"), "the unlock was not even tried: " + session.calls);
    }

    @Test
    void theWorksOwnFailureSurvivesAnUnlockThatFails() {
        FakeSession session = new FakeSession(true, CONNECTION_BROKE);
        IllegalStateException failure = new IllegalStateException("the copy's own failure");
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () ->
                new SessionAdvisoryLock(session.dataSource(), "test.lock").runIfFree(() -> {
                    throw failure;
                }));
        assertSame(failure, thrown);
    }

    @Test
    void aConnectionWhoseUnlockFailedIsAbortedNotReturnedToThePool() {
        // Closing a pooled connection returns it to the pool: its session, still alive, would keep the lock and every
        // later copy on every replica would be refused as "already running". Aborting it ends the session.
        FakeSession session = new FakeSession(true, STATEMENT_CANCELLED);
        new SessionAdvisoryLock(session.dataSource(), "test.lock").runIfFree(() -> "done");
        assertTrue(session.aborted, "the connection was not aborted");
        assertFalse(session.closedBeforeAbort, "the connection went back to the pool before it was aborted");
    }

    @Test
    void aReleasedLocksConnectionGoesBackToThePool() {
        FakeSession session = new FakeSession(true, null);
        assertEquals(Optional.of("done"), new SessionAdvisoryLock(session.dataSource(), "test.lock")
                .runIfFree(() -> "done"));
        assertEquals(List.of("pg_try_advisory_lock", "pg_advisory_unlock"), session.calls);
        assertTrue(session.closed, "the connection was not closed");
        assertFalse(session.aborted, "a healthy connection was aborted");
    }

    @Test
    void aLockHeldElsewhereRunsNothing() {
        FakeSession session = new FakeSession(false, null);
        List<String> ran = new ArrayList<>();
        Optional<String> result = new SessionAdvisoryLock(session.dataSource(), "test.lock").runIfFree(() -> {
            ran.add("work");
            return "done";
        });
        assertEquals(Optional.empty(), result);
        assertEquals(List.of(), ran);
        assertEquals(List.of("pg_try_advisory_lock"), session.calls);
        assertTrue(session.closed, "the connection was not closed");
    }

    /**
     * One connection answering the lock's statements: the try-lock answers {@code free}, the unlock throws
     * {@code unlockFailure} (or answers true). Records the lock functions called and whether it was closed or aborted.
     */
    static final class FakeSession {

        final boolean free;
        final SQLException unlockFailure;
        final List<String> calls = new ArrayList<>();
        boolean closed;
        boolean aborted;
        boolean closedBeforeAbort;

        FakeSession(boolean free, SQLException unlockFailure) {
            this.free = free;
            this.unlockFailure = unlockFailure;
        }

        DataSource dataSource() {
            Connection connection = fake(Connection.class, (proxy, method, args) -> switch (method.getName()) {
                case "prepareStatement" -> statement((String) args[0]);
                case "close" -> {
                    closed = true;
                    yield null;
                }
                case "abort" -> {
                    closedBeforeAbort = closed;
                    aborted = true;
                    yield null;
                }
                case "isClosed" -> closed || aborted;
                default -> unexpected(method);
            });
            return fake(DataSource.class, (proxy, method, args) -> switch (method.getName()) {
                case "getConnection" -> connection;
                default -> unexpected(method);
            });
        }

        private PreparedStatement statement(String sql) {
            String function = sql.contains("pg_try_advisory_lock") ? "pg_try_advisory_lock"
                    : sql.contains("pg_advisory_unlock") ? "pg_advisory_unlock" : null;
            if (function == null) {
                throw new AssertionError("unexpected statement " + sql);
            }
            return fake(PreparedStatement.class, (proxy, method, args) -> switch (method.getName()) {
                case "setString", "close" -> null;
                case "executeQuery" -> {
                    calls.add(function);
                    if (function.equals("pg_advisory_unlock") && unlockFailure != null) {
                        throw unlockFailure;
                    }
                    yield oneBoolean(function.equals("pg_try_advisory_lock") ? free : true);
                }
                default -> unexpected(method);
            });
        }

        private static ResultSet oneBoolean(boolean value) {
            boolean[] read = {false};
            return fake(ResultSet.class, (proxy, method, args) -> switch (method.getName()) {
                case "next" -> {
                    boolean row = !read[0];
                    read[0] = true;
                    yield row;
                }
                case "getBoolean" -> value;
                case "close" -> null;
                default -> unexpected(method);
            });
        }
    }

    private static Object unexpected(Method method) {
        throw new AssertionError("the fake does not answer " + method.getName());
    }

    @SuppressWarnings("unchecked")
    private static <T> T fake(Class<T> type, InvocationHandler handler) {
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
            if (method.getDeclaringClass() == Object.class) {
                return switch (method.getName()) {
                    case "equals" -> proxy == args[0];
                    case "hashCode" -> System.identityHashCode(proxy);
                    default -> type.getSimpleName() + " fake";
                };
            }
            return handler.invoke(proxy, method, args);
        });
    }
}
