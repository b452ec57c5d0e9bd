package dev.turnout.db;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A real PostgreSQL server run from binaries on the classpath (no install, no Docker). Used when no datasource URL
 * is configured, and by the tests. Data in {@code dataDir} survives restarts, and crashes: a server that a killed
 * process left running on it is stopped first ({@link LeftoverPostmaster}), and the server stops by itself when this
 * JVM dies without stopping it ({@link PostmasterWatchdog}).
 */
public final class EmbeddedDatabase implements AutoCloseable {

    public static final String USER = "postgres";
    public static final String DATABASE = "postgres";

    private final EmbeddedPostgres postgres;
    private final Path dataDir;
    private final PostmasterWatchdog watchdog;

    private EmbeddedDatabase(EmbeddedPostgres postgres, Path dataDir, PostmasterWatchdog watchdog) {
        this.postgres = postgres;
        this.dataDir = dataDir;
        this.watchdog = watchdog;
    }

    /** Starts PostgreSQL on a free port, initialising {@code dataDir} only if it holds no cluster yet. */
    public static EmbeddedDatabase start(Path dataDir) throws IOException {
        return start(dataDir, 0);
    }

    /** As {@link #start(Path)}, on a given port (0: any free one), e.g. to restart a server where it was. */
    public static EmbeddedDatabase start(Path dataDir, int port) throws IOException {
        Path absolute = dataDir.toAbsolutePath();
        Files.createDirectories(absolute);
        LeftoverPostmaster.clear(absolute);
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setDataDirectory(absolute)
                .setCleanDataDirectory(false)
                // Its own hook would stop the server while Quarkus still closes its connection pool (warnings at every
                // stop); the owner stops it in order, and the watchdog stops it when this JVM dies.
                .setRegisterShutdownHook(false)
                // The library starts the server for throwaway test data: with -F (fsync off, so a machine crash can
                // corrupt the whole cluster) and synchronous_commit off (a commit is acknowledged before its WAL is on
                // disk: an upload answered 201 could vanish). This database is the registry; both go back on.
                .setServerConfig("fsync", "on")
                .setServerConfig("synchronous_commit", "on")
                // A 1 GiB artifact writes ~1.2 GB of WAL. At the default max_wal_size (1GB: a checkpoint every ~540 MB)
                // two checkpoints land inside its COPY; 4GB lets a checkpoint_timeout (5 min) spread them instead.
                // WAL buffers at the size PostgreSQL picks for shared_buffers >= 512MB: at the 4MB it picks for 128MB,
                // the COPY writes WAL itself page by page (~110,000 writes per GiB; bench/README.md, 2026-12-06).
                .setServerConfig("max_wal_size", "4GB")
                .setServerConfig("wal_buffers", "16MB");
        if (port > 0) {
            builder.setPort(port);
        }
        EmbeddedPostgres postgres = builder.start();
        try {
            return new EmbeddedDatabase(postgres, absolute, PostmasterWatchdog.watch(absolute));
        } catch (IOException e) {
            postgres.close();
            throw e;
        }
    }

    public String jdbcUrl() {
        return postgres.getJdbcUrl(USER, DATABASE);
    }

    public int port() {
        return postgres.getPort();
    }

    public Path dataDir() {
        return dataDir;
    }

    @Override
    public void close() throws IOException {
        try {
            postgres.close();
        } finally {
            watchdog.close();
        }
    }
}
