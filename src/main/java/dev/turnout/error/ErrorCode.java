package dev.turnout.error;

/** Stable error codes clients can switch on, each with the one HTTP status it maps to. */
public enum ErrorCode {
    INVALID_ARGUMENT(400),
    SIGNATURE_REQUIRED(400),
    UNAUTHENTICATED(401),
    FORBIDDEN(403),
    NOT_FOUND(404),
    METHOD_NOT_ALLOWED(405),
    NOT_ACCEPTABLE(406),
    CONFLICT(409),
    LENGTH_REQUIRED(411),
    PRECONDITION_FAILED(412),
    PAYLOAD_TOO_LARGE(413),
    UNSUPPORTED_MEDIA_TYPE(415),
    RANGE_NOT_SATISFIABLE(416),
    INVALID_MODEL(422),
    DIGEST_MISMATCH(422),
    SIGNATURE_MISMATCH(422),
    UNAVAILABLE(503),
    OVERLOADED(503),
    INTERNAL(500);

    private final int httpStatus;

    ErrorCode(int httpStatus) {
        this.httpStatus = httpStatus;
    }

    public int httpStatus() {
        return httpStatus;
    }
}
