package dev.turnout.error;

import dev.turnout.db.SqlStates;
import dev.turnout.logging.RepeatedWarning;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.UnauthorizedException;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.http.HttpServerRequest;
import jakarta.inject.Inject;
import jakarta.ws.rs.NotAcceptableException;
import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The one place that turns failures into HTTP answers. Clients never see stack traces, class names or SQL. */
public class ErrorMapper {

    private static final Logger LOG = Logger.getLogger(ErrorMapper.class);
    /** Every management call fails alike during an outage: one warning a minute, the rest at DEBUG. */
    private static final RepeatedWarning DATABASE_UNREACHABLE = new RepeatedWarning(LOG, Duration.ofMinutes(1));
    /** The form parser's refusal of a body with too many parts (a RuntimeException, not an IOException). */
    private static final Pattern TOO_MANY_PARTS = Pattern.compile("Param limit of (\\d+) was exceeded");

    /** The Allow header of a 405; the framework's refusal names no method. */
    @Inject
    AllowedMethods allowedMethods;
    /** The two limits the form parser's 413 may stand for (it names neither). */
    @ConfigProperty(name = "quarkus.http.limits.max-form-attribute-size")
    MemorySize formPartLimit;
    @ConfigProperty(name = "quarkus.http.limits.max-body-size")
    MemorySize bodyLimit;

    @ServerExceptionMapper
    public Response refused(TurnoutException e) {
        if (e.code() == ErrorCode.INTERNAL) {
            LOG.warn(e.getMessage(), e.getCause());
        } else if (e.code().httpStatus() >= 500) { // backpressure and loading: expected, and the client is told
            LOG.debugf("%s: %s", e.code(), e.getMessage());
        }
        Response response = respond(e.code(), e.getMessage());
        if (!e.headers().isEmpty()) {
            Response.ResponseBuilder builder = Response.fromResponse(response);
            e.headers().forEach(builder::header);
            response = builder.build();
        }
        if (e.code().httpStatus() == 503) {
            return Response.fromResponse(response).header("Retry-After", "1").build();
        }
        return response;
    }

    @ServerExceptionMapper({UnauthorizedException.class, AuthenticationFailedException.class})
    public Response unauthenticated(Exception e) {
        return Response.fromResponse(respond(ErrorCode.UNAUTHENTICATED, "this call needs 'Authorization: Bearer <token>' "
                + "with a valid token")).header("WWW-Authenticate", "Bearer realm=\"turnout\"").build();
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e) {
        return respond(ErrorCode.FORBIDDEN, "the token's roles do not allow this call (roles: publisher uploads and "
                + "edits versions; operator flips, rolls back and deletes; viewer reads; predictor predicts when "
                + "predictions require a token)");
    }

    @ServerExceptionMapper
    public Response malformedJson(JsonProcessingException e) {
        return respond(ErrorCode.INVALID_ARGUMENT, "the request body is not valid JSON of the expected shape: "
                + e.getOriginalMessage());
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e, HttpServerRequest request) {
        if (e instanceof NotFoundException && methodNotTaken(request)) {
            // the router answers 404, not 405, for some paths a resource takes with other methods (a class's own path)
            return methodNotAllowed(request);
        }
        if (e instanceof NotFoundException) {
            return respond(ErrorCode.NOT_FOUND, "no such resource; the API is described at /q/openapi and /q/swagger-ui on this port");
        }
        if (e instanceof NotSupportedException) {
            return respond(ErrorCode.UNSUPPORTED_MEDIA_TYPE,
                    "unsupported Content-Type; uploads are multipart/form-data (a model version also "
                            + "application/octet-stream), other requests application/json");
        }
        if (e instanceof NotAllowedException) {
            return methodNotAllowed(request);
        }
        if (e instanceof NotAcceptableException) {
            return respond(ErrorCode.NOT_ACCEPTABLE, "this resource answers application/json");
        }
        int status = e.getResponse().getStatus();
        if (status == 413 && whileReadingTheRequestBody(e)) {
            return respond(ErrorCode.PAYLOAD_TOO_LARGE, formPartTooLarge(request.getHeader("Content-Length") != null));
        }
        if (status == 413) {
            return respond(ErrorCode.PAYLOAD_TOO_LARGE, "the request body is over the size limit");
        }
        if (status >= 500) {
            LOG.error("request failed", e);
            return respond(ErrorCode.INTERNAL, "internal error; the server log has the details");
        }
        return respond(ErrorCode.INVALID_ARGUMENT, "malformed request: " + Response.Status.fromStatusCode(status));
    }

    private boolean methodNotTaken(HttpServerRequest request) {
        String allow = allowedMethods.of(request.path());
        String method = "HEAD".equals(request.method().name()) ? "GET" : request.method().name(); // HEAD goes with GET
        return !allow.isEmpty() && !List.of(allow.split(", ")).contains(method);
    }

    private Response methodNotAllowed(HttpServerRequest request) {
        String allow = allowedMethods.of(request.path());
        Response refusal = respond(ErrorCode.METHOD_NOT_ALLOWED, "method not allowed on this resource"
                + (allow.isEmpty() ? "" : " (it takes " + allow + ")") + "; the API is described at /q/openapi on this port");
        return allow.isEmpty() ? refusal : Response.fromResponse(refusal).header("Allow", allow).build();
    }

    /**
     * The form parser's 413 carries no reason. It has two: a text part over max-form-attribute-size, or the whole body
     * over max-body-size (the upload limit). A body that declared its length passed {@code http.BodyLimits}, so only
     * the first is left; a chunked one may be either.
     */
    private String formPartTooLarge(boolean lengthDeclared) {
        String message = "a form field other than the file (such as 'description' or 'tags') is over "
                + formPartLimit.asLongValue()
                + " bytes, the limit on each text part of an upload (quarkus.http.limits.max-form-attribute-size); "
                + "only the file part may be larger, up to the upload limit";
        return lengthDeclared ? message : message + ", or the whole body is over " + bodyLimit.asLongValue()
                + " bytes (turnout.registry.max-upload-size)";
    }

    /**
     * An I/O failure while the framework read the request body (before any resource ran) is the client's: a
     * multipart/form-data body cut short, with another boundary than its Content-Type names, or not multipart at all
     * ("Connection terminated parsing multipart request"), or a body without a Content-Length that went past the
     * HTTP limit ("Request too large"; the framework has then already answered 413 and closed the connection). Any
     * other I/O failure is the server's.
     */
    @ServerExceptionMapper
    public Response unreadableBody(java.io.IOException e) {
        if (!whileReadingTheRequestBody(e)) {
            return unexpected(e);
        }
        LOG.debugf("unreadable request body: %s", e.getMessage());
        if ("Request too large".equals(e.getMessage())) {
            // Already answered (413, connection closed): a body now would be a second answer and an ERROR in the log;
            // without one the framework only ends the response, which it skips once ended.
            return Response.status(ErrorCode.PAYLOAD_TOO_LARGE.httpStatus()).build();
        }
        return respond(ErrorCode.INVALID_ARGUMENT, "the request body could not be read: a multipart/form-data body must "
                + "be complete and use the boundary its Content-Type names");
    }

    /** True when the framework's request-body reader threw {@code e} (its stack names the reader's classes). */
    static boolean whileReadingTheRequestBody(Throwable e) {
        for (StackTraceElement frame : e.getStackTrace()) {
            String type = frame.getClassName();
            if (type.startsWith("org.jboss.resteasy.reactive.server.")
                    && (type.endsWith(".FormBodyHandler") || type.contains(".multipart.MultiPartParserDefinition")
                    || type.endsWith(".VertxInputStream") || type.contains(".VertxInputStream$"))) {
                return true;
            }
        }
        return false;
    }

    @ServerExceptionMapper
    public Response unexpected(Throwable e) {
        return respondToUnexpected(e);
    }

    /**
     * The answer (and log line) for a failure nobody expected; other mappers (the console's pages) reuse it. The form
     * parser's own failures are the client's: it throws plain runtime exceptions, recognised by message and by where
     * they were thrown.
     */
    public static Response respondToUnexpected(Throwable e) {
        if (e instanceof RuntimeException && whileReadingTheRequestBody(e)) {
            Matcher tooManyParts = TOO_MANY_PARTS.matcher(String.valueOf(e.getMessage()));
            if (tooManyParts.matches()) {
                LOG.debugf("unreadable request body: %s", e.getMessage());
                return respond(ErrorCode.INVALID_ARGUMENT, "the form body has more than " + tooManyParts.group(1)
                        + " parts, the most the server reads; an upload sends only the parts it names (see /q/openapi)");
            }
            if (e instanceof IllegalArgumentException) { // "Failed to decode URL %zz"
                LOG.debugf("unreadable request body: %s", e.getMessage());
                return respond(ErrorCode.INVALID_ARGUMENT, "the form body is not valid "
                        + "application/x-www-form-urlencoded: a '%' must start an escape of two hex digits (%25 is "
                        + "a '%' itself)");
            }
        }
        String refusal = databaseRefusal(e);
        if (refusal != null) {
            return respond(ErrorCode.CONFLICT, refusal);
        }
        if (databaseUnreachable(e)) {
            DATABASE_UNREACHABLE.warn("database unreachable: " + e.getMessage());
            return Response.fromResponse(respond(ErrorCode.UNAVAILABLE, "the registry database is unreachable; "
                    + "management calls work again once it is back, predictions continue from the models in memory"))
                    .header("Retry-After", "5").build();
        }
        LOG.error("request failed", e);
        return respond(ErrorCode.INTERNAL, "internal error; the server log has the details");
    }

    /**
     * The message of a refusal raised by one of the schema's own triggers (SQLState 23001, restrict_violation, which
     * PostgreSQL itself does not raise: its foreign keys use 23503), such as deleting the candidate of a rollout in
     * progress. The trigger wrote that message for the client; null for anything else.
     */
    static String databaseRefusal(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof org.postgresql.util.PSQLException sql
                    && SqlStates.RESTRICT_VIOLATION.equals(sql.getSQLState())
                    && sql.getServerErrorMessage() != null) {
                return sql.getServerErrorMessage().getMessage();
            }
        }
        return null;
    }

    /**
     * A lost or refused database connection anywhere in the cause chain: SQLState class 08 (connection exception),
     * 57P (the server is shutting down or starting), or a socket error.
     */
    static boolean databaseUnreachable(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof java.sql.SQLException sql && SqlStates.isUnreachable(sql.getSQLState())) {
                return true;
            }
            if (cause instanceof java.net.ConnectException || cause instanceof java.sql.SQLTransientConnectionException) {
                return true;
            }
            if (cause instanceof java.sql.SQLException && String.valueOf(cause.getMessage()).contains("Acquisition timeout")) {
                return true;
            }
        }
        return false;
    }

    public static Response respond(ErrorCode code, String message) {
        return Response.status(code.httpStatus())
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(new ErrorBody(message, code.name()))
                .build();
    }
}
