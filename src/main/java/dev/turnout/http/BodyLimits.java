package dev.turnout.http;

import dev.turnout.config.TurnoutConfig;
import dev.turnout.error.ErrorBody;
import dev.turnout.error.ErrorCode;
import io.vertx.core.json.Json;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Refuses any request whose declared Content-Length is over what the largest endpoint takes (the upload limit, which
 * is also quarkus.http.limits.max-body-size) before a byte of the body is read, with the same JSON error as every
 * other refusal; without it the HTTP layer's own 413 has an empty body. It runs first, for every path and method, so
 * it depends on no spelling of a route. Smaller, per-endpoint bounds come after routing ({@link WholeBodyLimits}).
 */
@ApplicationScoped
public class BodyLimits {

    void install(@Observes Router router, TurnoutConfig config) {
        long limit = config.registry().maxUploadSize().asLongValue();
        long inference = config.serving().maxRequestSize().asLongValue();
        router.route().order(-100).handler(ctx -> {
            String length = ctx.request().getHeader("Content-Length");
            if (length != null && isOver(length, limit)) {
                ctx.response().setStatusCode(ErrorCode.PAYLOAD_TOO_LARGE.httpStatus())
                        .putHeader("Content-Type", "application/json")
                        .putHeader("Connection", "close")
                        .end(Json.encode(new ErrorBody("the request body is " + length + " bytes; the limit is "
                                + limit + " bytes for uploads (turnout.registry.max-upload-size) and " + inference
                                + " bytes for predictions (turnout.serving.max-request-size)",
                                ErrorCode.PAYLOAD_TOO_LARGE.name())));
            } else {
                ctx.next();
            }
        });
    }

    private static boolean isOver(String length, long limit) {
        try {
            return Long.parseLong(length.trim()) > limit;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
