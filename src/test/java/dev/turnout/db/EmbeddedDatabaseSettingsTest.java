package dev.turnout.db;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The server settings of the embedded PostgreSQL, as a running server reports them. */
class EmbeddedDatabaseSettingsTest {

    @TempDir
    static Path work;

    private static EmbeddedDatabase database;

    @BeforeAll
    static void start() throws IOException {
        database = EmbeddedDatabase.start(work.resolve("postgres"));
    }

    @AfterAll
    static void stop() throws IOException {
        database.close();
    }

    @Test
    void aCommitIsOnDiskBeforeItIsAcknowledged() throws SQLException {
        // The embedded library starts it with both off: an upload answered 201 could vanish with the machine.
        assertEquals("on", setting("synchronous_commit"));
        assertEquals("on", setting("fsync"));
        assertEquals("on", setting("full_page_writes"));
    }

    @Test
    void theWalOfAGibArtifactFitsBetweenTwoCheckpoints() throws SQLException {
        // A checkpoint starts after max_wal_size / (1 + checkpoint_completion_target) of WAL; a 1 GiB chunk COPY writes
        // ~1.2 GB of it, and WAL buffers below 16MB make the COPY write WAL itself (bench/README.md, 2026-12-06).
        double perCheckpoint = bytes("max_wal_size") / (1 + Double.parseDouble(setting("checkpoint_completion_target")));
        assertTrue(perCheckpoint > 1.2e9, "WAL between checkpoints: " + perCheckpoint);
        assertTrue(bytes("wal_buffers") >= 16 << 20, "wal_buffers " + setting("wal_buffers"));
    }

    private static long bytes(String name) throws SQLException {
        return Long.parseLong(query("SELECT pg_size_bytes(current_setting('" + name + "'))"));
    }

    private static String setting(String name) throws SQLException {
        return query("SELECT current_setting('" + name + "')");
    }

    private static String query(String sql) throws SQLException {
        try (Connection connection = DriverManager.getConnection(database.jdbcUrl());
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getString(1);
        }
    }
}
