package dev.turnout.rollout;

import java.time.Instant;

/** What one live replica serves of a model. {@code state} is null when it has not reported on this model yet. */
public record ReplicaState(String replica, Integer serving, Integer target, String state, String error,
                           Instant heartbeatAt) {

    public boolean serves(int version) {
        return serving != null && serving == version;
    }

    /** Serves {@code version}, or (null) serves nothing of the model any more. */
    public boolean reached(Integer version) {
        return version == null ? serving == null : serves(version);
    }
}
