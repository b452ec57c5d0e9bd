package dev.turnout.apidoc;

import dev.turnout.error.ErrorCode;

/** A message as the server writes it, per code, for the examples in the OpenAPI document. */
final class ErrorExamples {

    private ErrorExamples() {
    }

    static String message(ErrorCode code) {
        // A switch without default: a new code does not compile until it has an example.
        return switch (code) {
            case INVALID_ARGUMENT -> "'version' must be a whole number from 1";
            case SIGNATURE_REQUIRED -> "a torchscript upload needs a 'signature' part: {\"inputs\": [...], \"outputs\": [...]}";
            case UNAUTHENTICATED -> "this call needs 'Authorization: Bearer <token>' with a valid token";
            case FORBIDDEN -> "the token's roles do not allow this call";
            case NOT_FOUND -> "model 'pricing' has no version 7";
            case METHOD_NOT_ALLOWED -> "method not allowed on this resource; the API is described at /q/openapi on this port";
            case NOT_ACCEPTABLE -> "this resource answers application/json";
            case CONFLICT -> "input signature of version 2 differs from the active version 1; flip with \"force\": true";
            case LENGTH_REQUIRED -> "prediction requests must carry a Content-Length";
            case PRECONDITION_FAILED -> "If-Match names no tag of version 1 of 'pricing'; its ETag is \"9f86d0...\" (a strong tag: W/ tags never match), or send If-Match: *";
            case PAYLOAD_TOO_LARGE -> "the request body is over the size limit";
            case UNSUPPORTED_MEDIA_TYPE -> "unsupported Content-Type; uploads are multipart/form-data, other requests application/json";
            case RANGE_NOT_SATISFIABLE -> "the range 'bytes=5000-' is outside the 232 bytes of the artifact; ask for bytes=first-last with first below 232";
            case INVALID_MODEL -> "the artifact is not a loadable onnx model";
            case DIGEST_MISMATCH -> "the artifact's sha256 is not the one the 'sha256' part declares";
            case SIGNATURE_MISMATCH -> "the declared signature does not match the model's inputs";
            case UNAVAILABLE -> "version 2 of 'pricing' is still loading on this replica";
            case OVERLOADED -> "too many prediction requests waiting; retry after Retry-After seconds";
            case INTERNAL -> "internal error; the server log has the details";
        };
    }
}
