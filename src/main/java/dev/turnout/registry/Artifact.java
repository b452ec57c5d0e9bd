package dev.turnout.registry;

/**
 * Stored bytes, addressed by their sha256; written and freed by {@link ArtifactStore}, read with versions.
 * {@code store} is the store holding the bytes ({@link dev.turnout.storage.StoreKind} id), {@code storageKey} their
 * key in it: the content address {@code sha256/ab/ab12…}.
 */
public record Artifact(String sha256, long sizeBytes, String store, String storageKey) {
}
