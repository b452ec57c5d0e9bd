package dev.turnout.registry;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.sql.Connection;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A database that stops answering (a hung server, a dropped route) must not stall flips, uploads and reconciles for
 * good: every pooled connection has a socket timeout, so a call fails (503) and is retried instead.
 */
@QuarkusTest
class DatabaseTimeoutTest {

    @Inject
    AgroalDataSource dataSource;

    @Test
    void pooledConnectionsGiveUpOnASilentDatabase() throws Exception {
        try (Connection connection = dataSource.getConnection()) {
            int timeout = connection.getNetworkTimeout();
            assertTrue(timeout > 0, "no socket timeout: a hung database blocks its callers forever");
            assertTrue(timeout <= 120_000, "a socket timeout of " + timeout + " ms");
        }
    }
}
