package dev.turnout.http;

import dev.turnout.config.TurnoutConfig;
import dev.turnout.error.ErrorCode;
import dev.turnout.error.ErrorMapper;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.util.Optional;

/**
 * Bounds the bodies of {@link WholeBody} endpoints from their headers alone, after routing and before the body is
 * read: a body must declare its length (chunked ones are refused: 411), at most turnout.serving.max-request-size
 * (413), and must fit in what is left of the in-flight budget, turnout.serving.max-in-flight-bytes (503 with
 * Retry-After). Each refusal closes the connection, so the unread body is never read.
 */
@ApplicationScoped
public class WholeBodyLimits {

    static final String BUDGET_PROPERTY = "turnout.serving.max-in-flight-bytes";
    static final String SIZE_PROPERTY = "turnout.serving.max-request-size";

    private final long maxRequestSize;
    private final InFlightBodyBudget budget;

    public WholeBodyLimits(TurnoutConfig config, Instance<JsonBodyNeed> jsonNeeds) {
        this.maxRequestSize = config.serving().maxRequestSize().asLongValue();
        long heapShare = Runtime.getRuntime().maxMemory() / 8;
        long capacity = config.serving().maxInFlightBytes().map(size -> size.asLongValue()).orElse(heapShare);
        // the budget never refuses a lone request the size limits allow (management JSON bodies hold it too)
        long largestBody = Math.max(maxRequestSize, JsonBodyNeed.readBound(jsonNeeds));
        this.budget = new InFlightBodyBudget(Math.max(capacity, largestBody));
    }

    public InFlightBodyBudget budget() {
        return budget;
    }

    @ServerRequestFilter
    @WholeBody
    public Optional<Response> admit(RoutingContext routing) {
        HttpServerRequest request = routing.request();
        String declared = request.getHeader("Content-Length");
        if (declared == null) {
            return refuse(ErrorCode.LENGTH_REQUIRED, "prediction requests must carry a Content-Length (at most "
                    + maxRequestSize + " bytes, " + SIZE_PROPERTY + "); chunked bodies are not accepted");
        }
        long length;
        try {
            length = Long.parseLong(declared.trim());
        } catch (NumberFormatException e) {
            return refuse(ErrorCode.INVALID_ARGUMENT, "the Content-Length is not a number of bytes");
        }
        if (length > maxRequestSize) {
            return refuse(ErrorCode.PAYLOAD_TOO_LARGE, "the request body is " + length + " bytes; the limit is "
                    + maxRequestSize + " bytes (" + SIZE_PROPERTY + ")");
        }
        if (!budget.tryReserve(length)) {
            return refuse(ErrorCode.OVERLOADED, budget.fullMessage());
        }
        // Called once the answer is sent, or the connection is gone before it (the response's own end and close
        // handlers are single slots the framework sets too, so they cannot be used here).
        routing.addEndHandler(done -> budget.release(length));
        return Optional.empty();
    }

    private static Optional<Response> refuse(ErrorCode code, String message) {
        Response.ResponseBuilder response = Response.fromResponse(ErrorMapper.respond(code, message))
                .header("Connection", "close");
        if (code.httpStatus() == 503) {
            response.header("Retry-After", "1");
        }
        return Optional.of(response.build());
    }
}
