package dev.turnout.registry.rest;

import dev.turnout.config.TurnoutConfig;
import dev.turnout.error.ErrorBody;
import dev.turnout.error.ErrorCode;
import io.vertx.core.json.Json;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Refuses an upload whose declared Content-Length is over the limit before a byte of it is spooled, with the same
 * JSON error as every other refusal.
 */
@ApplicationScoped
public class UploadLimit {

    void install(@Observes Router router, TurnoutConfig config) {
        long limit = config.registry().maxUploadSize().asLongValue();
        router.post("/api/models/:name/versions").order(-100).handler(ctx -> {
            String length = ctx.request().getHeader("Content-Length");
            if (length != null && isOver(length, limit)) {
                ctx.response().setStatusCode(ErrorCode.PAYLOAD_TOO_LARGE.httpStatus())
                        .putHeader("Content-Type", "application/json")
                        .putHeader("Connection", "close")
                        .end(Json.encode(new ErrorBody("the upload is " + length + " bytes; the limit is " + limit
                                + " bytes (turnout.registry.max-upload-size)", ErrorCode.PAYLOAD_TOO_LARGE.name())));
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
