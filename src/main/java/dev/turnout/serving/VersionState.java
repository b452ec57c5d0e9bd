package dev.turnout.serving;

/**
 * Where a version stands on one replica. The one vocabulary of the serving events, the replica rows in the database
 * and the rollout API.
 */
public enum VersionState {
    /** Its bytes are being copied into the replica's disk cache and verified. */
    FETCHING,
    /** Its engine is opening it and running the warm-up inferences; the previous version keeps serving. */
    LOADING,
    /** It answers requests. */
    SERVING,
    /** Replaced: it takes no new requests and closes once the ones in flight are done. */
    DRAINING,
    /** Fetching, verifying or loading it failed; the previous version (if any) keeps serving; retried with backoff. */
    FAILED,
    /** Closed: its model has no active version any more (or it was replaced and has drained). */
    RETIRED;

    /** The state a replica row holds, or null for a row written before the replica reported (or unknown text). */
    public static VersionState parse(String text) {
        if (text == null) {
            return null;
        }
        try {
            return valueOf(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
