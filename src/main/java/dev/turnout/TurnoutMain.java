package dev.turnout;

import dev.turnout.db.EmbeddedDatabaseLauncher;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

/** Starts the embedded database when none is configured, then Quarkus. */
@QuarkusMain
public class TurnoutMain {

    public static void main(String... args) throws Exception {
        EmbeddedDatabaseLauncher.startIfNoDatasourceConfigured();
        Quarkus.run(args);
    }
}
