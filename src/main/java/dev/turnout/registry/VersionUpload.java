package dev.turnout.registry;

import dev.turnout.engine.ModelFormat;
import dev.turnout.engine.Signature;

import java.nio.file.Path;
import java.util.Map;

/**
 * An upload as the registry receives it, already parsed. Optional parts are null when absent.
 *
 * @param artifact a spooled file the caller deletes afterwards
 */
public record VersionUpload(String model, Path artifact, ModelFormat format, Map<String, Double> metrics,
                            Map<String, String> tags, String description, Signature signature, String sha256) {
}
