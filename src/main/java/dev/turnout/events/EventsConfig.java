package dev.turnout.events;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Webhooks and their delivery ({@code turnout.events.*}); every default is stated here and in the README. */
@ConfigMapping(prefix = "turnout.events")
public interface EventsConfig {

    /**
     * Receivers by name, e.g. {@code turnout.events.webhooks.ci.url=https://ci.example/hooks/turnout}. Only here:
     * no API call can add a URL, so the management API never makes the server fetch anything. None by default.
     */
    Map<String, Webhook> webhooks();

    /** Attempts per event and webhook before its delivery is marked FAILED. Default 8. */
    @WithDefault("8")
    int maxAttempts();

    /** Wait before the second attempt; each further one waits twice as long, up to max-backoff. Default 5s. */
    @WithDefault("5s")
    Duration initialBackoff();

    /** Longest wait between two attempts. Default 10m. */
    @WithDefault("10m")
    Duration maxBackoff();

    /** How long one POST may take (connect and answer) before it counts as failed. Default 10s. */
    @WithDefault("10s")
    Duration timeout();

    /** How often each replica looks for deliveries that are due. Default 1s. */
    @WithDefault("1s")
    Duration pollInterval();

    interface Webhook {
        /** Where events are POSTed (http or https). */
        URI url();

        /** The HMAC-SHA256 key of {@code X-Turnout-Signature}; the receiver holds the same. */
        String secret();

        /** Event types this webhook receives, e.g. {@code model.activated,model.rolled_back}; default all. */
        Optional<List<String>> events();
    }
}
