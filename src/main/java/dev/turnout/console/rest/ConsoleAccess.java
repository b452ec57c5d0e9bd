package dev.turnout.console.rest;

import dev.turnout.console.ConsoleSession;
import dev.turnout.console.ConsoleSessions;
import dev.turnout.security.Roles;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.UriInfo;

import java.net.URI;
import java.util.Locale;
import java.util.Optional;

/** Who may see and do what in the console: the session cookie, the read roles, and the checks every POST passes. */
@ApplicationScoped
public class ConsoleAccess {

    private final ConsoleSessions sessions;

    public ConsoleAccess(ConsoleSessions sessions) {
        this.sessions = sessions;
    }

    /** A page cannot be shown: {@code status} with {@code message} (401 sends a browser to the sign-in page). */
    public static final class Refusal extends RuntimeException {
        final int status;
        final String code;

        Refusal(int status, String code, String message) {
            super(message, null, false, false);
            this.status = status;
            this.code = code;
        }
    }

    public boolean securityEnabled() {
        return sessions.securityEnabled();
    }

    /** The session of a request that reads (any of viewer, publisher, operator); with security off, the anonymous one. */
    public Visitor reader(String cookie) {
        Optional<ConsoleSession> session = sessions.read(cookie);
        String issued = null;
        if (session.isEmpty() && !sessions.securityEnabled()) {
            issued = sessions.issueAnonymous();
            session = sessions.read(issued);
        }
        ConsoleSession signedIn = session.orElseThrow(() -> new Refusal(401, "UNAUTHENTICATED",
                "sign in with a token to use the console"));
        if (!mayRead(signedIn)) {
            throw new Refusal(403, "FORBIDDEN", "this token's roles do not include viewer, publisher or operator");
        }
        return new Visitor(signedIn, issued);
    }

    /** A reader's session, and the cookie to set with the page when it was just issued (security off, first visit). */
    public record Visitor(ConsoleSession session, String issuedCookie) {
    }

    static boolean mayRead(ConsoleSession session) {
        return session.may(Roles.VIEWER) || session.may(Roles.PUBLISHER) || session.may(Roles.OPERATOR);
    }

    /**
     * The session of a POST that changes something, after the checks that make it CSRF-safe: the request comes from
     * this origin (Origin, or Referer when a browser sends no Origin), carries the session's CSRF token, and the
     * session has {@code role}. Each failure is a 403.
     */
    public ConsoleSession mutation(String cookie, String csrf, HttpHeaders headers, String role) {
        checkOrigin(headers);
        ConsoleSession session = sessions.read(cookie).orElseThrow(() -> new Refusal(403, "FORBIDDEN",
                "no console session: sign in again"));
        if (!ConsoleSessions.csrfMatches(session, csrf)) {
            throw new Refusal(403, "FORBIDDEN", "the form's CSRF token is missing or not this session's; reload the page");
        }
        if (role != null && !session.may(role)) {
            throw new Refusal(403, "FORBIDDEN", "this token's roles do not allow this action (it needs " + role + ")");
        }
        return session;
    }

    /** The Origin (or Referer) of a state-changing request must be the host it was sent to. */
    public void checkOrigin(HttpHeaders headers) {
        String host = headers.getHeaderString("Host");
        String origin = headers.getHeaderString("Origin");
        if (origin == null || origin.isBlank()) {
            origin = headers.getHeaderString("Referer");
        }
        if (host == null || origin == null || !host.toLowerCase(Locale.ROOT).equals(authority(origin))) {
            throw new Refusal(403, "FORBIDDEN", "a console form must be sent from the console's own pages "
                    + "(the Origin header must name this host)");
        }
    }

    private static String authority(String url) {
        try {
            URI uri = URI.create(url.trim());
            return uri.getRawAuthority() == null ? "" : uri.getRawAuthority().toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            return "";
        }
    }

    public NewCookie cookie(String value, UriInfo uri) {
        return new NewCookie.Builder(ConsoleSessions.COOKIE).value(value).path("/console").httpOnly(true)
                .secure("https".equalsIgnoreCase(uri.getRequestUri().getScheme()))
                .sameSite(NewCookie.SameSite.STRICT).build();
    }

    public NewCookie expired(UriInfo uri) {
        return new NewCookie.Builder(ConsoleSessions.COOKIE).value("").path("/console").httpOnly(true).maxAge(0)
                .secure("https".equalsIgnoreCase(uri.getRequestUri().getScheme()))
                .sameSite(NewCookie.SameSite.STRICT).build();
    }
}
