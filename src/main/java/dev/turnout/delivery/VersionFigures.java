package dev.turnout.delivery;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.turnout.serving.VersionTraffic;

/**
 * One version's figures over a window, summed across replicas. Latency quantiles are the upper bound of the histogram
 * bucket they fall in (serving/VersionTraffic: buckets about 25 % wide), in milliseconds; null without requests.
 */
public record VersionFigures(int version, long requests, long errors,
                             @JsonProperty("error_rate") double errorRate,
                             @JsonProperty("p50_ms") Double p50Ms,
                             @JsonProperty("p99_ms") Double p99Ms) {

    /** Figures from summed counts and a summed histogram (VersionTraffic.BUCKETS entries). */
    public static VersionFigures of(int version, long requests, long errors, long[] latency) {
        double rate = requests == 0 ? 0 : (double) errors / requests;
        return new VersionFigures(version, requests, errors, rate, quantile(latency, 0.50), quantile(latency, 0.99));
    }

    static Double quantile(long[] latency, double q) {
        long total = 0;
        for (long count : latency) {
            total += count;
        }
        if (total == 0) {
            return null;
        }
        long rank = (long) Math.ceil(q * total);
        long seen = 0;
        for (int i = 0; i < latency.length; i++) {
            seen += latency[i];
            if (seen >= rank) {
                long micros = i < VersionTraffic.BUCKET_MICROS.length ? VersionTraffic.BUCKET_MICROS[i]
                        : VersionTraffic.BUCKET_MICROS[VersionTraffic.BUCKET_MICROS.length - 1] * 2;
                return micros / 1000.0;
            }
        }
        return null;
    }
}
