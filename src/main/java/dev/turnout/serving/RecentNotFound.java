package dev.turnout.serving;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The 404s this replica answered lately for models it does not serve, remembered for a moment: a client repeating an
 * unknown or inactive model name costs one database query per name and moment, not one per request. Only models
 * that are not loaded are looked up here, so a memory can never hide a model being served.
 */
final class RecentNotFound {

    private final long ttlNanos;
    private final int maxEntries;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();

    private record Entry(String message, long expiresAt) {
    }

    RecentNotFound(Duration ttl, int maxEntries) {
        this.ttlNanos = ttl.toNanos();
        this.maxEntries = maxEntries;
    }

    Optional<String> get(String name) {
        Entry entry = entries.get(name);
        if (entry == null) {
            return Optional.empty();
        }
        if (System.nanoTime() - entry.expiresAt() > 0) {
            entries.remove(name, entry);
            return Optional.empty();
        }
        return Optional.of(entry.message());
    }

    void remember(String name, String message) {
        if (entries.size() >= maxEntries) {
            entries.clear(); // many distinct names (a scan): start over rather than grow
        }
        entries.put(name, new Entry(message, System.nanoTime() + ttlNanos));
    }

    /** The model's active version changed: what was true of it may not be any more. */
    void forget(String name) {
        entries.remove(name);
    }
}
