package dev.turnout.security;

/** Who may do what. Reads of the registry accept any role; predictions are open unless configured otherwise. */
public final class Roles {

    /** Uploads versions, edits their metrics, tags and description. */
    public static final String PUBLISHER = "publisher";
    /** Flips and rolls back active versions, deletes versions. */
    public static final String OPERATOR = "operator";
    /** Reads the registry and the rollout state. */
    public static final String VIEWER = "viewer";
    /** Calls predictions when turnout.security.predictions-require-token is set. */
    public static final String PREDICTOR = "predictor";

    private Roles() {
    }
}
