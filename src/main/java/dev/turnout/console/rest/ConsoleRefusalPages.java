package dev.turnout.console.rest;

import dev.turnout.error.ErrorBody;
import dev.turnout.error.ErrorCode;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

import java.util.ArrayList;

/**
 * Console refusals that no console code wrote (an unknown query parameter, a wrong method, a wrong Content-Type: the
 * shared HTTP checks and the one error mapping answer them as the API's JSON) become the same HTML pages a browser
 * gets from the console itself ({@link ErrorPages}), with the status and headers (Allow) kept; a client that asks for
 * JSON keeps the JSON. A 415 names what the console's forms take, not the API's multipart or JSON.
 */
public class ConsoleRefusalPages {

    private final ErrorPages pages;

    public ConsoleRefusalPages(ErrorPages pages) {
        this.pages = pages;
    }

    @ServerResponseFilter
    public void asPage(ContainerRequestContext request, ContainerResponseContext response) {
        if (!(response.getEntity() instanceof ErrorBody refusal) || !isConsole(request.getUriInfo().getPath())) {
            return;
        }
        ErrorBody body = response.getStatus() == ErrorCode.UNSUPPORTED_MEDIA_TYPE.httpStatus() ? new ErrorBody("unsupported Content-Type; "
                + "the console's forms are application/x-www-form-urlencoded", refusal.code()) : refusal;
        if (ErrorPages.wantsJson(request.getHeaderString(HttpHeaders.ACCEPT))) {
            response.setEntity(body);
            return;
        }
        Response page = pages.error(null, response.getStatus(), body.code(), body.error());
        page.getStringHeaders().forEach((name, values) -> response.getHeaders().put(name, new ArrayList<>(values)));
        response.setEntity(page.getEntity(), null, page.getMediaType());
    }

    private static boolean isConsole(String path) {
        return path.equals("/console") || path.startsWith("/console/");
    }
}
