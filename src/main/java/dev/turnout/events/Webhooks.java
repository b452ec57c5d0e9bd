package dev.turnout.events;

import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;

import java.net.URI;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/** The configured webhooks, checked at start: a bad URL or an unknown event type stops the server then. */
@ApplicationScoped
@Startup
public class Webhooks {

    /** One receiver: where to post, the signing key, and the types it wants. */
    public record Webhook(String name, URI url, byte[] secret, Set<EventType> types) {
    }

    private final Map<String, Webhook> byName = new TreeMap<>();

    public Webhooks(EventsConfig config) {
        config.webhooks().forEach((name, webhook) -> byName.put(name, check(name, webhook)));
    }

    static Webhook check(String name, EventsConfig.Webhook config) {
        String prefix = "turnout.events.webhooks." + name;
        URI url = config.url();
        if (url.getScheme() == null || !Set.of("http", "https").contains(url.getScheme()) || url.getHost() == null) {
            throw new IllegalArgumentException(prefix + ".url must be an absolute http or https URL, not '" + url + "'");
        }
        if (config.secret().isBlank()) {
            throw new IllegalArgumentException(prefix + ".secret must not be empty: receivers check the signature with it");
        }
        Set<EventType> types = EnumSet.allOf(EventType.class);
        Optional<List<String>> filter = config.events();
        if (filter.isPresent()) {
            types = EnumSet.noneOf(EventType.class);
            for (String typeName : filter.get()) {
                types.add(EventType.parse(typeName.trim()).orElseThrow(() -> new IllegalArgumentException(prefix
                        + ".events names '" + typeName + "', which is no event type; known: " + known())));
            }
        }
        return new Webhook(name, url, config.secret().getBytes(java.nio.charset.StandardCharsets.UTF_8), types);
    }

    private static String known() {
        return String.join(", ", java.util.Arrays.stream(EventType.values()).map(EventType::wireName).toList());
    }

    public boolean none() {
        return byName.isEmpty();
    }

    public List<String> names() {
        return List.copyOf(byName.keySet());
    }

    public Optional<Webhook> named(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** The names of the webhooks that receive {@code type}. */
    public List<String> wanting(EventType type) {
        return byName.values().stream().filter(webhook -> webhook.types().contains(type)).map(Webhook::name).toList();
    }
}
