package dev.turnout.engine;

/** The artifact is not a loadable model of its format, or it does not match the signature it was given. */
public class InvalidModelException extends Exception {

    /** UNSAFE: the artifact does something no model needs (reads files, calls custom native ops). */
    public enum Reason { NOT_LOADABLE, SIGNATURE_MISMATCH, SIGNATURE_REQUIRED, UNSAFE }

    private final Reason reason;

    public InvalidModelException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public InvalidModelException(Reason reason, String message) {
        this(reason, message, null);
    }

    public Reason reason() {
        return reason;
    }
}
