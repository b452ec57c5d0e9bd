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
        // The embedded library's default is off: an upload answered 201 could vanish with the machine.
        assertEquals("on", setting("synchronous_commit"));
        assertEquals("on", setting("fsync"));
        assertEquals("on", setting("full_page_writes"));
    }

    private static String setting(String name) throws SQLException {
        try (Connection connection = DriverManager.getConnection(database.jdbcUrl());
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT current_setting('" + name + "')")) {
            rows.next();
            return rows.getString(1);
        }
    }
}
