package dev.turnout.registry;

import dev.turnout.engine.ModelFormat;
import dev.turnout.storage.StoreKind;

/** Where a version's bytes are: enough to stream them without holding a transaction open. */
public record StoredArtifact(String sha256, long sizeBytes, StoreKind store, String storageKey, ModelFormat format) {

    static StoredArtifact of(Artifact artifact, String format) {
        return new StoredArtifact(artifact.sha256(), artifact.sizeBytes(), StoreKind.parse(artifact.store()).orElseThrow(),
                artifact.storageKey(), ModelFormat.parse(format).orElseThrow());
    }
}
