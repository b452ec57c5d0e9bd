package dev.turnout.events;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Posts due deliveries to their webhooks, one at a time, on a daemon thread of each replica. Every round survives any
 * throwable (logged; the next round runs), as the serving loops do. With no webhook configured it never starts, and
 * logs nothing.
 */
@ApplicationScoped
public class WebhookDeliverer {

    private static final Logger LOG = Logger.getLogger(WebhookDeliverer.class);
    private static final String LOOP = "turnout-webhooks";
    /** Deliveries one round posts at most before it lets the next round (and shutdown) in. */
    private static final int PER_ROUND = 100;

    private final Webhooks webhooks;
    private final DeliveryLog log;
    private final EventsConfig config;
    private final Backoff backoff;
    /**
     * Made by the loop's thread on its first round, not at construction: the JDK's client loads the default TLS
     * context (every CA certificate of the JDK) when it is built, ~0.1 s of the start spent for nothing when no webhook
     * is configured, and on the start's main thread when one is (issue 14).
     */
    private HttpClient client;
    private ScheduledExecutorService executor;
    private volatile ScheduledFuture<?> rounds;

    public WebhookDeliverer(Webhooks webhooks, DeliveryLog log, EventsConfig config) {
        this.webhooks = webhooks;
        this.log = log;
        this.config = config;
        this.backoff = new Backoff(config.maxAttempts(), config.initialBackoff(), config.maxBackoff());
    }

    void start(@Observes StartupEvent start) {
        if (webhooks.none()) {
            return;
        }
        executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, LOOP);
            thread.setDaemon(true);
            return thread;
        });
        rounds = executor.scheduleWithFixedDelay(this::guardedRound, 0, config.pollInterval().toMillis(),
                TimeUnit.MILLISECONDS);
        LOG.infof("Delivering events to webhooks %s", webhooks.names());
    }

    void stop(@Observes ShutdownEvent stop) {
        if (executor != null) {
            executor.shutdownNow();
        }
    }

    /** Whether deliveries go on: true with no webhook (nothing to do), else while the rounds are scheduled. */
    public boolean alive() {
        ScheduledFuture<?> scheduled = rounds;
        return webhooks.none() || (scheduled != null && !scheduled.isDone() && !executor.isShutdown());
    }

    private void guardedRound() {
        try {
            if (client == null) { // only this loop's one thread reads or writes it
                client = HttpClient.newBuilder().connectTimeout(config.timeout())
                        .followRedirects(HttpClient.Redirect.NEVER).build();
            }
            for (int i = 0; i < PER_ROUND && !Thread.currentThread().isInterrupted(); i++) {
                Optional<DeliveryLog.Claim> claim = log.claim(webhooks.names(), config.timeout().multipliedBy(2));
                if (claim.isEmpty()) {
                    return;
                }
                deliver(claim.get());
            }
        } catch (Throwable e) { // any throwable: a stopped loop would silently stop all deliveries
            LOG.errorf(e, "%s: a round failed (%s); the next round runs as scheduled", LOOP, e);
        }
    }

    private void deliver(DeliveryLog.Claim claim) {
        Webhooks.Webhook webhook = webhooks.named(claim.webhook()).orElseThrow(); // claims name configured ones only
        Integer status = null;
        String error;
        try {
            HttpRequest request = HttpRequest.newBuilder(webhook.url())
                    .timeout(config.timeout())
                    .header("Content-Type", "application/json")
                    .header("User-Agent", "Turnout-Webhooks")
                    .header(WebhookSignature.HEADER, WebhookSignature.of(webhook.secret(), claim.body()))
                    .header("X-Turnout-Event", claim.type())
                    .header("X-Turnout-Delivery", String.valueOf(claim.id()))
                    .POST(HttpRequest.BodyPublishers.ofString(claim.body()))
                    .build();
            HttpResponse<Void> response = client.send(request, HttpResponse.BodyHandlers.discarding());
            status = response.statusCode();
            if (status / 100 == 2) {
                log.delivered(claim.id(), status);
                return;
            }
            error = "the webhook answered " + status;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            error = "interrupted (shutdown)";
        } catch (Exception e) {
            error = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        }
        Optional<Duration> retry = backoff.after(claim.attempt());
        log.failed(claim.id(), status, error, retry);
        LOG.warnf("Event %d to webhook %s, attempt %d: %s; %s", claim.eventId(), claim.webhook(), claim.attempt(),
                error, retry.map(wait -> "next attempt in " + wait.toMillis() + " ms")
                        .orElse("no attempt left (turnout.events.max-attempts)"));
    }
}
