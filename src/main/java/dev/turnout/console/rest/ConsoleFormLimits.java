package dev.turnout.console.rest;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.util.Optional;

/**
 * A console form is a few fields: its body must declare its length (411 otherwise) and stay under
 * {@link #MAX_FORM_BYTES} (413), checked from the headers before the body is read; the connection is then closed.
 */
@ApplicationScoped
public class ConsoleFormLimits {

    /** The largest console form body: a reason of 1000 characters and a few guards fit many times over. */
    public static final long MAX_FORM_BYTES = 16 * 1024;

    private final ErrorPages pages;

    public ConsoleFormLimits(ErrorPages pages) {
        this.pages = pages;
    }

    @ServerRequestFilter
    @ConsoleForm
    public Optional<Response> admit(HttpHeaders headers) {
        String declared = headers.getHeaderString(HttpHeaders.CONTENT_LENGTH);
        if (declared == null) {
            return Optional.of(close(pages.error(headers, 411, "LENGTH_REQUIRED",
                    "a console form must carry a Content-Length (at most " + MAX_FORM_BYTES + " bytes)")));
        }
        long length;
        try {
            length = Long.parseLong(declared.trim());
        } catch (NumberFormatException e) {
            return Optional.of(close(pages.error(headers, 400, "INVALID_ARGUMENT", "the Content-Length is not a number")));
        }
        if (length > MAX_FORM_BYTES) {
            return Optional.of(close(pages.error(headers, 413, "PAYLOAD_TOO_LARGE", "the form is " + length
                    + " bytes; a console form may have at most " + MAX_FORM_BYTES + " bytes")));
        }
        return Optional.empty();
    }

    private static Response close(Response response) {
        return Response.fromResponse(response).header("Connection", "close").build();
    }
}
