package dev.turnout.console.rest;

import jakarta.ws.rs.core.Response;

/** Headers every console page carries: only this origin's scripts and styles, never framed, never cached. */
final class ConsoleHeaders {

    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    private ConsoleHeaders() {
    }

    static Response.ResponseBuilder html(Response.ResponseBuilder response) {
        return response.type("text/html; charset=utf-8")
                .header("Content-Security-Policy", CSP)
                .header("X-Content-Type-Options", "nosniff")
                .header("Referrer-Policy", "same-origin")
                .header("Cache-Control", "no-store");
    }
}
