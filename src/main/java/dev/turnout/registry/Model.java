package dev.turnout.registry;

import java.time.Instant;

/**
 * A named model: the row uploads lock to number their versions, and the pointer to the active version (moved only
 * through {@link ActivePointer}). {@code activeGeneration} grows by one with every move of the pointer (a database
 * trigger keeps it); a model created under the name of a deleted one starts above the deleted one's (V6), so replicas
 * tell their targets apart.
 */
public record Model(long id, String name, String description, Instant createdAt, int nextVersion,
                    Integer activeVersion, long activeGeneration) {
}
