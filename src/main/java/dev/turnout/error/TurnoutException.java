package dev.turnout.error;

/** A refusal the client can act on: its code picks the HTTP status, its message says what was wrong. */
public class TurnoutException extends RuntimeException {

    private final ErrorCode code;
    private final java.util.Map<String, String> headers = new java.util.LinkedHashMap<>();

    public TurnoutException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public TurnoutException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }

    /** A header the answer carries besides the JSON body (e.g. {@code Content-Range} of a 416). */
    public TurnoutException withHeader(String name, String value) {
        headers.put(name, value);
        return this;
    }

    public java.util.Map<String, String> headers() {
        return java.util.Collections.unmodifiableMap(headers);
    }

    public static TurnoutException invalid(String message) {
        return new TurnoutException(ErrorCode.INVALID_ARGUMENT, message);
    }

    public static TurnoutException notFound(String message) {
        return new TurnoutException(ErrorCode.NOT_FOUND, message);
    }

    public static TurnoutException conflict(String message) {
        return new TurnoutException(ErrorCode.CONFLICT, message);
    }
}
