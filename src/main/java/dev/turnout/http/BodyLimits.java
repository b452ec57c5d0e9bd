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
 * Refuses an upload whose declared Content-Length is over the upload limit before a byte of the body is read, with
 * the same JSON error as every other refusal. (Uploads are spooled to disk, and one without a length is cut off by
 * quarkus.http.limits.max-body-size; inference bodies, read into memory, are bounded by {@link WholeBodyLimits}.)
 */
@ApplicationScoped
public class BodyLimits {

    static final String UPLOADS = "/api/models/[^/]+/versions/?";

    void install(@Observes Router router, TurnoutConfig config) {
        long limit = config.registry().maxUploadSize().asLongValue();
        String property = "turnout.registry.max-upload-size";
        router.routeWithRegex(HttpMethod.POST, UPLOADS).order(-100).handler(ctx -> {
            String length = ctx.request().getHeader("Content-Length");
            if (length != null && isOver(length, limit)) {
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
