package dev.turnout.serving;

import jakarta.enterprise.context.ApplicationScoped;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The routing hook of progressive delivery: per model, an optional candidate version that answers {@code weight} %
 * of the requests for the model's active version. Serving only reads it; whoever runs rollouts sets it on every replica
 * (only once the candidate is loaded here). Requests naming a version ({@code /versions/{v}}) never consult it.
 */
@ApplicationScoped
public class TrafficSplit {

    /** A candidate and its share of the active version's requests, in percent (0..100). */
    public record Split(int candidate, int weight) {
    }

    private final Map<String, Split> splits = new ConcurrentHashMap<>();
    /** The request header whose value pins a caller to one side of every split; null: each request is drawn anew. */
    private volatile String routingHeader;

    public void route(String model, int candidate, int weight) {
        splits.put(model, new Split(candidate, Math.max(0, Math.min(100, weight))));
    }

    public void clear(String model) {
        splits.remove(model);
    }

    public Map<String, Split> splits() {
        return Map.copyOf(splits);
    }

    public Optional<Split> of(String model) {
        return Optional.ofNullable(splits.get(model));
    }

    /** Whether requests for {@code model} are being split now (and so counted per version, see VersionTraffic). */
    public boolean splitting(String model) {
        return !splits.isEmpty() && splits.containsKey(model);
    }

    public void routingHeader(String header) {
        this.routingHeader = header == null || header.isBlank() ? null : header;
    }

    public String routingHeader() {
        return routingHeader;
    }

    /**
     * The version that answers this request instead of the active one, or null for the active one. With a routing key
     * the choice is a hash of it, so the same key always lands on the same side (until the weight changes past it).
     */
    public Integer choose(String model, String routingKey) {
        Split split = splits.isEmpty() ? null : splits.get(model);
        if (split == null || split.weight() == 0) {
            return null;
        }
        int draw = routingKey == null ? ThreadLocalRandom.current().nextInt(100) : bucket(routingKey);
        return draw < split.weight() ? split.candidate() : null;
    }

    /** 0..99 from a key, spread evenly even for similar keys (String.hashCode alone is not: "user-1", "user-2"...). */
    static int bucket(String key) {
        long h = key.hashCode() * 0x9E3779B97F4A7C15L;
        h ^= h >>> 32;
        h *= 0xBF58476D1CE4E5B9L;
        h ^= h >>> 29;
        return (int) Math.floorMod(h, 100L);
    }
}
