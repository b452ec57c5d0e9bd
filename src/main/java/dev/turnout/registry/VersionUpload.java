package dev.turnout.registry;

import dev.turnout.engine.ModelFormat;
import dev.turnout.engine.Signature;

import java.nio.file.Path;
import java.util.Map;

/**
 * An upload as the registry receives it, already parsed. Optional parts are null when absent.
 *
 * @param artifact a spooled file the caller deletes afterwards
 * @param sha256 the digest the uploader declared, to be checked
 * @param receivedSha256 the artifact's digest when it was computed while receiving it; null: hash the file
 */
public record VersionUpload(String model, Path artifact, ModelFormat format, Map<String, Double> metrics,
                            Map<String, String> tags, String description, Signature signature, String sha256,
                            String receivedSha256) {

    /** This upload with its artifact: a spooled file, and its digest if it was computed while receiving it. */
    public VersionUpload withArtifact(Path file, String receivedSha256) {
        return new VersionUpload(model, file, format, metrics, tags, description, signature, sha256, receivedSha256);
    }
}
