package dev.turnout.db;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The embedded database after a crash: a JVM that ran it is killed with SIGKILL (as the OOM killer does), and the
 * next start on the same directory must work, without ever stopping a process that is not that dead JVM's server.
 * Every database here is real, and every crash happens to a real child JVM.
 */
class EmbeddedDatabaseRestartTest {

    @TempDir
    Path work;

    private final List<Long> spawned = new ArrayList<>();
    private EmbeddedDatabase database;

    @AfterEach
    void stopEverythingStarted() throws IOException {
        if (database != null) {
            database.close();
        }
        // Newest first, so a child JVM goes before the postmaster it started; SIGTERM is a postmaster's smart shutdown.
        for (int i = spawned.size() - 1; i >= 0; i--) {
            ProcessHandle.of(spawned.get(i)).ifPresent(process -> {
                process.destroy();
                process.onExit().orTimeout(30, java.util.concurrent.TimeUnit.SECONDS).join();
            });
        }
    }

    @Test
    void thePostmasterOfAKilledJvmStopsByItself() throws Exception {
        Path dataDir = work.resolve("postgres");
        Child child = startChild(dataDir);

        child.jvm.destroyForcibly();

        awaitGone(child.postmaster, Duration.ofSeconds(10));
        database = EmbeddedDatabase.start(dataDir);
        assertEquals(1, selectOne(database));
    }

    @Test
    void aPostmasterLeftByAKilledJvmIsStoppedAtTheNextStart() throws Exception {
        Path dataDir = work.resolve("postgres");
        Child child = startChild(dataDir);
        // Whatever the dead JVM left to clean up after it is killed first: the next start is on its own.
        child.jvm.toHandle().children().forEach(ProcessHandle::destroyForcibly);
        child.jvm.destroyForcibly();
        child.jvm.waitFor();
        assertTrue(child.postmaster.isAlive(), "the orphaned postmaster outlives its JVM");

        database = EmbeddedDatabase.start(dataDir);

        assertEquals(1, selectOne(database));
        assertTrue(!child.postmaster.isAlive(), "the orphan was stopped");
    }

    @Test
    void aStalePidFileNamingAnotherProgramIsIgnoredAndThatProgramLeftAlone() throws Exception {
        Path dataDir = work.resolve("postgres");
        EmbeddedDatabase.start(dataDir).close(); // a cluster, stopped
        Process sleep = new ProcessBuilder("sleep", "300").start();
        spawned.add(sleep.pid());
        // what a power loss leaves: the server's pid file, its PID since taken by an unrelated program
        Files.writeString(dataDir.resolve("postmaster.pid"), sleep.pid() + "\n" + dataDir.toAbsolutePath() + "\n");

        database = EmbeddedDatabase.start(dataDir);

        assertEquals(1, selectOne(database));
        assertTrue(sleep.isAlive(), "a process that is not our postmaster is never signalled");
    }

    @Test
    void aDatabaseThatALiveProcessRunsIsLeftAlone() throws Exception {
        Path dataDir = work.resolve("postgres");
        Child child = startChild(dataDir);

        Exception refused = assertThrows(Exception.class, () -> database = EmbeddedDatabase.start(dataDir));

        assertTrue(refused.getMessage().contains(dataDir.toAbsolutePath().toString()), refused.getMessage());
        assertTrue(child.jvm.isAlive());
        assertTrue(child.postmaster.isAlive());
    }

    private record Child(Process jvm, ProcessHandle postmaster) {
    }

    private Child startChild(Path dataDir) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        File log = work.resolve("child-" + spawned.size() + ".log").toFile();
        Process jvm = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                EmbeddedDatabaseChild.class.getName(), dataDir.toString())
                .redirectErrorStream(true).redirectOutput(log).start();
        spawned.add(jvm.pid());
        Instant deadline = Instant.now().plusSeconds(60);
        while (Instant.now().isBefore(deadline) && jvm.isAlive()) {
            Optional<String> started = Files.readAllLines(log.toPath()).stream()
                    .filter(line -> line.startsWith("started ")).findFirst();
            if (started.isPresent()) {
                long pid = Long.parseLong(started.get().substring("started ".length()));
                spawned.add(pid);
                return new Child(jvm, ProcessHandle.of(pid).orElseThrow());
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the child JVM did not start its database:\n" + Files.readString(log.toPath()));
    }

    private static void awaitGone(ProcessHandle process, Duration limit) throws InterruptedException {
        Instant deadline = Instant.now().plus(limit);
        while (process.isAlive()) {
            assertTrue(Instant.now().isBefore(deadline), "PID " + process.pid() + " still runs after " + limit);
            Thread.sleep(100);
        }
    }

    private static int selectOne(EmbeddedDatabase database) throws SQLException {
        try (Connection connection = DriverManager.getConnection(database.jdbcUrl());
             ResultSet result = connection.createStatement().executeQuery("SELECT 1")) {
            result.next();
            return result.getInt(1);
        }
    }
}
