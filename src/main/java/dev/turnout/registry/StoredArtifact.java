package dev.turnout.registry;

import dev.turnout.engine.ModelFormat;

/** Where a version's bytes are: enough to stream them without holding a transaction open. */
public record StoredArtifact(String sha256, long sizeBytes, long blobOid, ModelFormat format) {
}
