package dev.turnout;

import dev.turnout.datadir.DataDirInUseException;
import dev.turnout.datadir.DataDirLock;
import dev.turnout.db.EmbeddedDatabaseLauncher;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;
import org.eclipse.microprofile.config.ConfigProvider;

import java.nio.file.Path;

/** Claims the data directory, starts the embedded database when none is configured, then Quarkus. */
@QuarkusMain
public class TurnoutMain {

    public static void main(String... args) throws Exception {
        Path dataDir = ConfigProvider.getConfig().getOptionalValue("turnout.data-dir", Path.class)
                .orElse(Path.of("data"));
        // Before the embedded database: a server running on this directory may then only be a dead process's.
        try {
            DataDirLock.hold(dataDir);
        } catch (DataDirInUseException e) {
            System.err.println(e.getMessage());
            System.exit(1);
        }
        EmbeddedDatabaseLauncher.startIfNoDatasourceConfigured(dataDir);
        Quarkus.run(args);
    }
}
