package dev.turnout.db;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A JVM that starts the embedded database on the directory it is given, prints {@code started <postmaster pid>} and
 * then waits to be killed: the crash that {@link EmbeddedDatabaseRestartTest} inflicts on a real Turnout.
 */
public final class EmbeddedDatabaseChild {

    private EmbeddedDatabaseChild() {
    }

    public static void main(String... args) throws Exception {
        Path dataDir = Path.of(args[0]);
        EmbeddedDatabase.start(dataDir);
        String postmaster = Files.readAllLines(dataDir.resolve("postmaster.pid")).get(0).trim();
        System.out.println("started " + postmaster);
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
