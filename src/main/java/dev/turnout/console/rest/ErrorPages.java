package dev.turnout.console.rest;

import dev.turnout.error.ErrorBody;
import dev.turnout.error.ErrorMapper;
import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * Refusals of console endpoints: an HTML page with the status for browsers, and the API's JSON error
 * ({@code {"error", "code"}}) for a client that asks for JSON (Accept: application/json without text/html).
 */
@ApplicationScoped
public class ErrorPages {

    private final Template page;

    public ErrorPages(@Location("console/error.html") Template page) {
        this.page = page;
    }

    public Response error(HttpHeaders headers, int status, String code, String message) {
        if (wantsJson(headers)) {
            return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(new ErrorBody(message, code)).build();
        }
        String html = page.data("status", status).data("message", message)
                .data("title", Response.Status.fromStatusCode(status) == null ? "Error"
                        : Response.Status.fromStatusCode(status).getReasonPhrase()).render();
        return ConsoleHeaders.html(Response.status(status).entity(html)).build();
    }

    /**
     * A failure no console code expected (the database unreachable, a bug): the API's one mapping decides the status,
     * message and logging, and a browser gets it as a page.
     */
    public Response unexpected(HttpHeaders headers, Throwable e) {
        Response json = ErrorMapper.respondToUnexpected(e);
        if (wantsJson(headers) || !(json.getEntity() instanceof ErrorBody body)) {
            return json;
        }
        Response.ResponseBuilder page = Response.fromResponse(error(headers, json.getStatus(), body.code(), body.error()));
        if (json.getHeaderString("Retry-After") != null) {
            page.header("Retry-After", json.getHeaderString("Retry-After"));
        }
        return page.build();
    }

    static boolean wantsJson(HttpHeaders headers) {
        return wantsJson(headers == null ? null : headers.getHeaderString(HttpHeaders.ACCEPT));
    }

    /** {@code accept}: the request's Accept header, or null. */
    static boolean wantsJson(String accept) {
        return accept != null && accept.contains("application/json") && !accept.contains("text/html");
    }
}
