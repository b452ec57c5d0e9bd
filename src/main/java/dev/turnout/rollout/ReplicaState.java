package dev.turnout.rollout;

import dev.turnout.serving.VersionState;

import java.time.Instant;

/** What one live replica serves of a model. {@code state} is null when it has not reported on this model yet. */
public record ReplicaState(String replica, Integer serving, Integer target, VersionState state, String error,
                           Instant heartbeatAt) {

    public boolean serves(int version) {
        return serving != null && serving == version;
    }

    /** Tried {@code version} and could not load it (it retries with backoff). */
    public boolean failed(Integer version) {
        return state == VersionState.FAILED && version != null && version.equals(target);
    }

    /** Serves {@code version}, or (null) serves nothing of the model any more. */
    public boolean reached(Integer version) {
        return version == null ? serving == null : serves(version);
    }
}
