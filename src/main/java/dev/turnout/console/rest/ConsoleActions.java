package dev.turnout.console.rest;

import dev.turnout.console.ConsoleSession;
import dev.turnout.console.ConsoleSessions;
import dev.turnout.error.ErrorCode;
import dev.turnout.error.TurnoutException;
import dev.turnout.registry.RegistryRules;
import dev.turnout.rollout.ActivationService;
import dev.turnout.rollout.FlipRequest;
import dev.turnout.rollout.MetricRequirement;
import dev.turnout.security.Roles;
import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.credential.TokenCredential;
import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import jakarta.ws.rs.Consumes;
import jakarta.inject.Singleton;
import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static dev.turnout.console.ConsoleSessions.COOKIE;

/**
 * The console's forms: sign in and out, and the operator's flip, rollback and deactivation, each through
 * {@link ActivationService} as the API does. Every form is bounded ({@link ConsoleForm}); every mutation passes
 * {@link ConsoleAccess#mutation}: same origin, the session's CSRF token, the operator role.
 */
@Path("/console")
@Singleton
@Consumes(MediaType.APPLICATION_FORM_URLENCODED)
public class ConsoleActions {

    /** How long an action waits for the replicas before showing the page (they go on converging on screen). */
    private static final Duration WAIT = Duration.ofSeconds(5);

    private final ConsoleAccess access;
    private final ConsoleSessions sessions;
    private final ConsolePages pages;
    private final ErrorPages errors;
    private final ActivationService activation;
    private final IdentityProviderManager identities;
    private final Template model;
    private final Template signIn;

    public ConsoleActions(ConsoleAccess access, ConsoleSessions sessions, ConsolePages pages, ErrorPages errors,
                          ActivationService activation, IdentityProviderManager identities,
                          @Location("console/model.html") Template model,
                          @Location("console/sign-in.html") Template signIn) {
        this.access = access;
        this.sessions = sessions;
        this.pages = pages;
        this.errors = errors;
        this.activation = activation;
        this.identities = identities;
        this.model = model;
        this.signIn = signIn;
    }

    /** Exchanges a bearer token, once, for a session cookie; the token is not kept anywhere. */
    @POST
    @Path("/sign-in")
    @ConsoleForm
    public Response signIn(@RestForm String token, @Context HttpHeaders headers, @Context UriInfo uri) {
        access.checkOrigin(headers);
        if (!access.securityEnabled()) {
            return Response.seeOther(URI.create("/console")).cookie(access.cookie(sessions.issueAnonymous(), uri)).build();
        }
        SecurityIdentity identity;
        try {
            identity = token == null || token.isBlank() ? null : identities.authenticateBlocking(
                    new TokenAuthenticationRequest(new TokenCredential(token.trim(), "bearer")));
        } catch (AuthenticationFailedException e) {
            identity = null;
        }
        if (identity == null) {
            return signInRefused(401, "That token is not one this server knows.");
        }
        String session = sessions.issue(identity.getPrincipal().getName());
        if (sessions.read(session).filter(ConsoleAccess::mayRead).isEmpty()) {
            return signInRefused(403, "This token has none of the roles viewer, publisher or operator.");
        }
        return Response.seeOther(URI.create("/console")).cookie(access.cookie(session, uri)).build();
    }

    private Response signInRefused(int status, String problem) {
        return ConsoleHeaders.html(Response.status(status).entity(signIn.data("securityEnabled", true)
                .data("notice", null).data("problem", problem).render())).build();
    }

    @POST
    @Path("/sign-out")
    @ConsoleForm
    public Response signOut(@RestForm String csrf, @CookieParam(COOKIE) String cookie, @Context HttpHeaders headers,
                            @Context UriInfo uri) {
        access.mutation(cookie, csrf, headers, null);
        return Response.seeOther(URI.create("/console/sign-in?notice=signed-out")).cookie(access.expired(uri)).build();
    }

    @POST
    @Path("/models/{name}/flip")
    @ConsoleForm
    public Response flip(@RestPath String name, @RestForm String version, @RestForm String reason,
                         @RestForm String require, @RestForm String force, @RestForm String csrf,
                         @CookieParam(COOKIE) String cookie, @Context HttpHeaders headers, @Context UriInfo uri) {
        ConsoleSession session = access.mutation(cookie, csrf, headers, Roles.OPERATOR);
        RegistryRules.checkModelName(name);
        return act(name, session, uri, "flipped", () -> activation.flip(name, new FlipRequest(versionNumber(version),
                reason(reason), "on".equals(force), requirements(require), session.name()), WAIT));
    }

    @POST
    @Path("/models/{name}/rollback")
    @ConsoleForm
    public Response rollback(@RestPath String name, @RestForm String reason, @RestForm String csrf,
                             @CookieParam(COOKIE) String cookie, @Context HttpHeaders headers, @Context UriInfo uri) {
        ConsoleSession session = access.mutation(cookie, csrf, headers, Roles.OPERATOR);
        RegistryRules.checkModelName(name);
        return act(name, session, uri, "rolled-back",
                () -> activation.rollback(name, session.name(), reason(reason), WAIT));
    }

    @POST
    @Path("/models/{name}/deactivate")
    @ConsoleForm
    public Response deactivate(@RestPath String name, @RestForm String reason, @RestForm String csrf,
                               @CookieParam(COOKIE) String cookie, @Context HttpHeaders headers, @Context UriInfo uri) {
        ConsoleSession session = access.mutation(cookie, csrf, headers, Roles.OPERATOR);
        RegistryRules.checkModelName(name);
        return act(name, session, uri, "deactivated",
                () -> activation.deactivate(name, session.name(), reason(reason), WAIT));
    }

    /**
     * Runs an action; done, the browser is sent to the model page (a reload does not repeat it). A refusal the
     * operator can act on (a guard, a bad field, nothing to roll back to) is shown on the model page as written,
     * with its status; a missing model is the 404 page.
     */
    private Response act(String name, ConsoleSession session, UriInfo uri, String notice, Runnable action) {
        try {
            action.run();
        } catch (TurnoutException e) {
            if (e.code() == ErrorCode.NOT_FOUND && e.getMessage().startsWith("no model")) {
                throw e;
            }
            return pages.page(new ConsoleAccess.Visitor(session, null), uri,
                    pages.modelPage(model, name, null, e.getMessage()), e.code().httpStatus());
        }
        return Response.seeOther(URI.create("/console/models/" + name + "?notice=" + notice)).build();
    }

    private static int versionNumber(String version) {
        try {
            int parsed = Integer.parseInt(version == null ? "" : version.trim());
            if (parsed >= 1) {
                return parsed;
            }
        } catch (NumberFormatException ignored) {
            // answered below
        }
        throw TurnoutException.invalid("the version must be a whole number from 1");
    }

    private static String reason(String reason) {
        if (reason == null || reason.isBlank()) {
            return null;
        }
        if (reason.length() > FlipRequest.MAX_REASON_LENGTH) {
            throw TurnoutException.invalid("the reason may have at most " + FlipRequest.MAX_REASON_LENGTH + " characters");
        }
        String trimmed = reason.trim();
        RegistryRules.checkStorable("the reason", trimmed);
        return trimmed;
    }

    /** Guards, one per line (or separated by commas), each as the API takes them. */
    private static List<MetricRequirement> requirements(String require) {
        List<MetricRequirement> requirements = new ArrayList<>();
        if (require == null) {
            return requirements;
        }
        for (String guard : require.split("[\\r\\n,]+")) {
            if (!guard.isBlank()) {
                requirements.add(MetricRequirement.parse(guard.trim()));
            }
        }
        if (requirements.size() > 32) {
            throw TurnoutException.invalid("at most 32 guards, each " + MetricRequirement.FORM);
        }
        return requirements;
    }

    @ServerExceptionMapper
    public Response refused(TurnoutException e, HttpHeaders headers) {
        return errors.error(headers, e.code().httpStatus(), e.code().name(), e.getMessage());
    }

    @ServerExceptionMapper
    public Response failed(Throwable e, HttpHeaders headers) {
        return errors.unexpected(headers, e);
    }

    @ServerExceptionMapper
    public Response refused(ConsoleAccess.Refusal e, HttpHeaders headers) {
        return ConsolePages.refusal(errors, e, headers);
    }
}
