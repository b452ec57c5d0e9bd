package dev.turnout.http;

import dev.turnout.error.ErrorCode;
import dev.turnout.error.TurnoutException;
import jakarta.ws.rs.core.EntityTag;
import jakarta.ws.rs.core.Request;
import jakarta.ws.rs.core.Response;

import java.util.Optional;

/**
 * A download's If-Match and If-None-Match against its ETag (the sha256). If-None-Match naming it is a 304; an If-Match
 * naming another tag is refused like every other failed request, a 412 with a JSON message giving the ETag (the
 * framework's own 412 has no body).
 */
public final class DownloadPreconditions {

    private DownloadPreconditions() {
    }

    /** The 304 to answer, or empty to send the bytes; throws the 412. */
    public static Optional<Response> check(Request request, EntityTag etag, String what) {
        Response.ResponseBuilder answer = request.evaluatePreconditions(etag);
        if (answer == null) {
            return Optional.empty();
        }
        Response response = answer.build();
        if (response.getStatus() == ErrorCode.PRECONDITION_FAILED.httpStatus()) {
            throw new TurnoutException(ErrorCode.PRECONDITION_FAILED, "If-Match names no tag of " + what + "; its "
                    + "ETag is \"" + etag.getValue() + "\" (a strong tag: W/ tags never match), or send If-Match: *");
        }
        return Optional.of(response);
    }
}
