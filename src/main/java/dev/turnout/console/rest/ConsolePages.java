package dev.turnout.console.rest;

import dev.turnout.console.ConsoleSession;
import dev.turnout.console.ConsoleViews;
import dev.turnout.error.TurnoutException;
import dev.turnout.registry.RegistryRules;
import dev.turnout.security.Roles;
import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateInstance;
import jakarta.inject.Singleton;
import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.net.URI;
import java.util.Map;

import static dev.turnout.console.ConsoleSessions.COOKIE;

/** The console's pages (HTML): models, one model, one version, and the fragments htmx polls. */
@Path("/console")
@Singleton
public class ConsolePages {

    /** The notices a redirect after an action may ask for; any other value shows nothing. */
    static final Map<String, String> NOTICES = Map.of(
            "flipped", "Flipped. The replicas below converge on the new version.",
            "rolled-back", "Rolled back to the previous version.",
            "deactivated", "Deactivated: the model has no active version; a rollback brings it back.",
            "signed-out", "Signed out.");

    private final ConsoleViews views;
    private final ConsoleAccess access;
    private final ErrorPages errors;
    private final Template models;
    private final Template modelsLive;
    private final Template model;
    private final Template modelLive;
    private final Template version;
    private final Template signIn;

    public ConsolePages(ConsoleViews views, ConsoleAccess access, ErrorPages errors,
                        @Location("console/models.html") Template models,
                        @Location("console/models-live.html") Template modelsLive,
                        @Location("console/model.html") Template model,
                        @Location("console/model-live.html") Template modelLive,
                        @Location("console/version.html") Template version,
                        @Location("console/sign-in.html") Template signIn) {
        this.views = views;
        this.access = access;
        this.errors = errors;
        this.models = models;
        this.modelsLive = modelsLive;
        this.model = model;
        this.modelLive = modelLive;
        this.version = version;
        this.signIn = signIn;
    }

    @GET
    public Response models(@CookieParam(COOKIE) String cookie, @Context UriInfo uri) {
        ConsoleAccess.Visitor visitor = access.reader(cookie);
        return page(visitor, uri, models.data("models", views.models()));
    }

    @GET
    @Path("/live/models")
    public Response modelsLive(@CookieParam(COOKIE) String cookie, @Context UriInfo uri) {
        ConsoleAccess.Visitor visitor = access.reader(cookie);
        return page(visitor, uri, modelsLive.data("models", views.models()));
    }

    @GET
    @Path("/sign-in")
    public Response signIn(@CookieParam(COOKIE) String cookie, @RestQuery String notice) {
        return ConsoleHeaders.html(Response.ok(signIn.data("securityEnabled", access.securityEnabled())
                .data("notice", notice(notice)).data("problem", null).render())).build();
    }

    @GET
    @Path("/models/{name}")
    public Response model(@RestPath String name, @RestQuery String notice, @CookieParam(COOKIE) String cookie,
                          @Context UriInfo uri) {
        ConsoleAccess.Visitor visitor = access.reader(cookie);
        return page(visitor, uri, modelPage(model, name, notice(notice), null));
    }

    private static String notice(String key) {
        return key == null ? null : NOTICES.get(key);
    }

    /** The model page with a notice or a problem (an action's refusal, shown as written). */
    TemplateInstance modelPage(Template template, String name, String notice, String problem) {
        ConsoleViews.ModelPage page = views.model(RegistryRules.checkModelName(name));
        return template.data("page", page).data("live", page.live()).data("notice", notice).data("problem", problem);
    }

    @GET
    @Path("/live/models/{name}")
    public Response modelLive(@RestPath String name, @CookieParam(COOKIE) String cookie, @Context UriInfo uri) {
        ConsoleAccess.Visitor visitor = access.reader(cookie);
        return page(visitor, uri, modelLive.data("live", views.live(RegistryRules.checkModelName(name))));
    }

    @GET
    @Path("/models/{name}/versions/{number}")
    public Response version(@RestPath String name, @RestPath String number, @CookieParam(COOKIE) String cookie,
                            @Context UriInfo uri) {
        ConsoleAccess.Visitor visitor = access.reader(cookie);
        int parsed = versionNumber(number);
        return page(visitor, uri, version.data("version", views.version(RegistryRules.checkModelName(name), parsed)));
    }

    /** Anything else under /console (but the static assets under /console/assets): a 404 page. */
    @GET
    @Path("/{rest:(?!assets/).+}")
    public Response unknown(@RestPath String rest, @Context HttpHeaders headers) {
        return errors.error(headers, 404, "NOT_FOUND", "there is no console page here; the models are at /console");
    }

    static int versionNumber(String number) {
        try {
            int parsed = Integer.parseInt(number);
            if (parsed >= 1) {
                return parsed;
            }
        } catch (NumberFormatException ignored) {
            // answered below
        }
        throw TurnoutException.notFound("no version '" + RegistryRules.printable(number)
                + "': versions are whole numbers from 1");
    }

    Response page(ConsoleAccess.Visitor visitor, UriInfo uri, TemplateInstance template) {
        return page(visitor, uri, template, 200);
    }

    Response page(ConsoleAccess.Visitor visitor, UriInfo uri, TemplateInstance template, int status) {
        ConsoleSession session = visitor.session();
        String html = template.data("session", session).data("csrf", session.csrf())
                .data("operator", session.may(Roles.OPERATOR)).data("securityEnabled", access.securityEnabled())
                .render();
        Response.ResponseBuilder response = ConsoleHeaders.html(Response.status(status).entity(html));
        if (visitor.issuedCookie() != null) {
            response.cookie(access.cookie(visitor.issuedCookie(), uri));
        }
        return response.build();
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
        return refusal(errors, e, headers);
    }

    /** 401 takes a browser to the sign-in page (htmx is told with HX-Redirect); JSON clients get the error. */
    static Response refusal(ErrorPages errors, ConsoleAccess.Refusal e, HttpHeaders headers) {
        if (e.status == 401 && !ErrorPages.wantsJson(headers)) {
            if (headers.getHeaderString("HX-Request") != null) {
                return Response.status(401).header("HX-Redirect", "/console/sign-in").build();
            }
            return Response.seeOther(URI.create("/console/sign-in")).build();
        }
        return errors.error(headers, e.status, e.code, e.getMessage());
    }
}
