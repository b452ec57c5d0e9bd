package dev.turnout.registry;

import dev.turnout.engine.Signature;

import java.time.Instant;
import java.util.Map;

/**
 * One immutable, numbered version of a model (named {@code model}). Only metrics, tags and description change after
 * upload; the maps are sorted by name.
 */
public record ModelVersion(long id, String model, int version, String format, Artifact artifact, Signature signature,
                           Map<String, Double> metrics, Map<String, String> tags, String description, String status,
                           Instant createdAt) {

    public static final String READY = "READY";
}
