package dev.turnout.registry;

import dev.turnout.engine.Signature;

import java.time.Instant;
import java.util.SortedMap;

/** A model version as the API shows it. */
public record VersionInfo(String model, int version, String format, String sha256, long sizeBytes,
                          Signature signature, SortedMap<String, Double> metrics, SortedMap<String, String> tags,
                          String description, String status, Instant createdAt) {
}
