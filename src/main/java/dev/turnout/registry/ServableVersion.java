package dev.turnout.registry;

import dev.turnout.engine.Signature;

/** What a replica needs to serve one version: where its bytes are and the signature it was registered with. */
public record ServableVersion(String model, int version, StoredArtifact artifact, Signature signature) {
}
