package dev.turnout.rollout;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import dev.turnout.registry.ModelInfo;

import java.util.List;

/** A model with every live replica's view of it, and (after a flip) the activation just recorded. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ModelStatus(@JsonUnwrapped ModelInfo model, List<ReplicaState> replicas, ActivationRecord activation) {
}
