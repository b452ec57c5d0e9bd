package dev.turnout.http;

import dev.turnout.config.TurnoutConfig;
import dev.turnout.datadir.DataDirLock;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Empties the upload spool ({@code quarkus.http.body.uploads-directory}) at start, before the HTTP port opens: Quarkus
 * deletes a spooled upload when its request ends, so whatever is there was left by a process that died mid-upload.
 * Only a spool inside the data directory is emptied, since only that one is covered by the data directory's lock.
 */
@ApplicationScoped
public class UploadSpool {

    private static final Logger LOG = Logger.getLogger(UploadSpool.class);

    void clearAtStart(@Observes StartupEvent event, TurnoutConfig config,
            @ConfigProperty(name = "quarkus.http.body.uploads-directory") Path spool) throws IOException {
        clear(config.dataDir(), spool);
    }

    /** Whether the spool is inside the data directory, whose lock makes it this process's alone. */
    static boolean insideDataDir(Path dataDir, Path spool) {
        return spool.toAbsolutePath().normalize().startsWith(dataDir.toAbsolutePath().normalize());
    }

    private static void clear(Path dataDir, Path spool) throws IOException {
        DataDirLock.hold(dataDir);
        if (!insideDataDir(dataDir, spool)) {
            LOG.infof("The upload spool %s is outside the data directory %s: not emptying it at start", spool, dataDir);
            return;
        }
        if (!Files.isDirectory(spool)) {
            return;
        }
        List<Path> leftovers;
        try (Stream<Path> files = Files.list(spool)) {
            leftovers = files.filter(Files::isRegularFile).toList();
        }
        for (Path leftover : leftovers) {
            Files.deleteIfExists(leftover);
        }
        if (!leftovers.isEmpty()) {
            LOG.infof("Deleted %d upload(s) left in %s by a process that died while receiving them", leftovers.size(),
                    spool);
        }
    }
}
