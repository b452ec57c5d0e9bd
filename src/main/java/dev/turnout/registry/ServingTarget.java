package dev.turnout.registry;

import java.util.Optional;

/**
 * What a model's replicas must serve: its active version, or none. {@code generation} grows with every move of the
 * pointer, so of two targets read at different times the newer one is known.
 */
public record ServingTarget(String model, long generation, Optional<ServableVersion> version) {

    public boolean isNewerThan(long otherGeneration) {
        return generation > otherGeneration;
    }
}
