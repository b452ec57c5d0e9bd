package dev.turnout.http;

import dev.turnout.config.TurnoutConfig;
import dev.turnout.error.ErrorBody;
import dev.turnout.error.ErrorCode;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.Json;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Refuses a request whose declared Content-Length is over its endpoint's limit before a byte of the body is read,
 * with the same JSON error as every other refusal.
 */
@ApplicationScoped
public class BodyLimits {

    static final String UPLOADS = "/api/models/[^/]+/versions/?";
    static final String INFERENCE = "/v2/models/.+/infer|/v1/models/.+:predict|/predict";

    void install(@Observes Router router, TurnoutConfig config) {
        limit(router, UPLOADS, config.registry().maxUploadSize().asLongValue(), "turnout.registry.max-upload-size", false);
        limit(router, INFERENCE, config.serving().maxRequestSize().asLongValue(), "turnout.serving.max-request-size", true);
    }

    /**
     * @param lengthRequired inference bodies are buffered whole before the resource runs, so one sent without a
     *     length (chunked) could only be bounded by the 2G upload limit: such bodies are refused (411)
     */
    private static void limit(Router router, String pathRegex, long limit, String property, boolean lengthRequired) {
        router.routeWithRegex(HttpMethod.POST, pathRegex).order(-100).handler(ctx -> {
            String length = ctx.request().getHeader("Content-Length");
            if (length == null && lengthRequired) {
                refuse(ctx, ErrorCode.LENGTH_REQUIRED, "prediction requests must carry a Content-Length (at most "
                        + limit + " bytes, " + property + "); chunked bodies are not accepted");
            } else if (length != null && isOver(length, limit)) {
                refuse(ctx, ErrorCode.PAYLOAD_TOO_LARGE, "the request body is " + length + " bytes; the limit is "
                        + limit + " bytes (" + property + ")");
            } else {
                ctx.next();
            }
        });
    }

    private static void refuse(RoutingContext ctx, ErrorCode code, String message) {
        ctx.response().setStatusCode(code.httpStatus())
                .putHeader("Content-Type", "application/json")
                .putHeader("Connection", "close")
                .end(Json.encode(new ErrorBody(message, code.name())));
    }

    private static boolean isOver(String length, long limit) {
        try {
            return Long.parseLong(length.trim()) > limit;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
