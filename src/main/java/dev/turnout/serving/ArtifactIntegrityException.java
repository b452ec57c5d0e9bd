package dev.turnout.serving;

/** An artifact's bytes do not match the digest the registry recorded for them. */
public class ArtifactIntegrityException extends Exception {

    public ArtifactIntegrityException(String message) {
        super(message);
    }
}
