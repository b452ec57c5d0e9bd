package dev.turnout.http;

import dev.turnout.config.TurnoutConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Deletes the part files the framework's multipart parser leaves in the upload spool. The parser deletes a request's
 * part files when the request ends, but one it opens after that (a parse step still running as the request ends) is
 * never deleted: CI found a 0-byte {@code resteasy-reactive…upload} that stayed until a restart. A part file belongs
 * to a multipart request in flight, so a sweep deletes those older than one interval only when no multipart request is
 * in flight and none started within that interval: a request that starts during the sweep opens files newer than the
 * cut-off. As at start ({@link UploadSpool}), only a spool inside the data directory, which is this process's alone,
 * is swept.
 */
@ApplicationScoped
public class FormPartSweeper {

    private static final Logger LOG = Logger.getLogger(FormPartSweeper.class);
    /** The prefix of the part files the framework's multipart parser creates. */
    static final String PART_PREFIX = "resteasy-reactive";

    private final Path spool;
    private final Duration interval;
    private final boolean owned;
    /** The multipart requests not yet seen to end: removed by their end handler, or by a sweep that finds them over. */
    private final Set<HttpServerResponse> multipartInFlight = ConcurrentHashMap.newKeySet();
    private volatile long lastMultipartStart = System.nanoTime();
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "form-part-sweeper");
        thread.setDaemon(true);
        return thread;
    });

    public FormPartSweeper(TurnoutConfig config,
            @ConfigProperty(name = "quarkus.http.body.uploads-directory") Path spool) {
        this.spool = spool;
        this.interval = config.registry().spoolSweepInterval();
        this.owned = UploadSpool.insideDataDir(config.dataDir(), spool);
    }

    /** Counts multipart requests from routing, before the framework reads a byte of their bodies, to their end. */
    void install(@Observes Router router) {
        router.route().order(-99).handler(ctx -> {
            String type = ctx.request().getHeader("Content-Type");
            if (type != null && type.regionMatches(true, 0, "multipart/", 0, "multipart/".length())) {
                HttpServerResponse response = ctx.response();
                multipartInFlight.add(response);
                lastMultipartStart = System.nanoTime();
                // Usually called once the answer is sent or the connection is gone; but the framework may take over
                // the response's single end and close slots (an upload the HTTP layer cuts off never calls it), so
                // each sweep also drops the requests whose response has ended or whose connection has closed.
                ctx.addEndHandler(done -> multipartInFlight.remove(response));
            }
            ctx.next();
        });
    }

    void start(@Observes StartupEvent event) {
        if (!owned) {
            return;
        }
        long every = interval.toMillis();
        executor.scheduleWithFixedDelay(() -> {
            try {
                sweep();
            } catch (IOException | RuntimeException e) {
                LOG.warn("Sweeping the upload spool failed; the next round retries", e);
            }
        }, every, every, TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent event) {
        executor.shutdownNow();
    }

    void sweep() throws IOException {
        multipartInFlight.removeIf(response -> response.ended() || response.closed());
        if (!multipartInFlight.isEmpty() || System.nanoTime() - lastMultipartStart < interval.toNanos()
                || !Files.isDirectory(spool)) {
            return;
        }
        Instant cutOff = Instant.now().minus(interval);
        List<Path> orphans;
        try (Stream<Path> files = Files.list(spool)) {
            orphans = files.filter(f -> f.getFileName().toString().startsWith(PART_PREFIX))
                    .filter(f -> olderThan(f, cutOff)).toList();
        }
        for (Path orphan : orphans) {
            Files.deleteIfExists(orphan);
        }
        if (!orphans.isEmpty()) {
            LOG.infof("Deleted %d part file(s) the multipart parser left in %s", orphans.size(), spool);
        }
    }

    private static boolean olderThan(Path file, Instant cutOff) {
        try {
            return Files.isRegularFile(file) && Files.getLastModifiedTime(file).toInstant().isBefore(cutOff);
        } catch (IOException gone) {
            return false; // deleted meanwhile by its request
        }
    }
}
